import type { EventCodec } from '../codec/codec';
import { PermanentError } from '../errors';
import { Envelope, OutgoingEvent, envelopeFor, envelopeHeaders } from '../events/envelope';
import { activeTraceparent, newTraceparent } from '../observability/trace-context';

/**
 * An event ready for Kafka: a kafkajs Message (key, value, headers) plus its topic and the
 * envelope it was given. The outbox stores these and sends them later with Publisher.sendEncoded.
 */
export interface EncodedEvent {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  envelope: Envelope;
}

/** The outgoing event is unusable as given (no key, no topic, undeclared type): a bug, not an outage. */
export class InvalidEventError extends PermanentError {
  constructor(message: string) {
    super(message, { code: 'EVENT_INVALID' });
  }
}

/**
 * Envelope (id, time, correlation, causation, traceparent) + codec encode + CloudEvents headers.
 * `source` is the CloudEvents source, normally the publishing service's name.
 */
export async function toMessage(
  event: OutgoingEvent,
  codec: EventCodec,
  source: string,
): Promise<EncodedEvent> {
  if (typeof event.topic !== 'string' || event.topic === '') {
    throw new InvalidEventError(
      `event ${event.type}: expected a topic, found ${JSON.stringify(event.topic)}`,
    );
  }
  if (typeof event.key !== 'string' || event.key === '') {
    // Without a key the partitioner spreads events of one aggregate over partitions, losing order.
    throw new InvalidEventError(
      `event ${event.type} to ${event.topic}: expected a non-empty aggregate key, found ${JSON.stringify(event.key)}`,
    );
  }
  const envelope = envelopeFor(event, source);
  // Inside a traced call the event continues its trace; otherwise it starts one.
  envelope.traceparent ??= activeTraceparent() ?? newTraceparent();
  const value = await codec.encode(event.topic, event.type, event.payload);
  return {
    topic: event.topic,
    key: event.key,
    value,
    headers: envelopeHeaders(envelope, event.headers),
    envelope,
  };
}
