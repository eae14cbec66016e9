import type { KafkaMessage } from 'kafkajs';
import type { EventMetadata } from '../events/envelope';
import { readEnvelope } from '../events/envelope';
import type { RawHeaders } from '../events/headers';
import type { InboundEvent } from '../middleware/types';
import type { DeliveryHistory } from '../retry/failure-headers';

export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Builds the event a handler sees from a consumed record and its decoded payload. Records from
 * producers that do not set CloudEvents headers still get usable metadata: the id falls back to
 * `<topic>-<partition>-<offset>` (stable across redeliveries) and the time to the record timestamp.
 */
export function inboundEvent(message: KafkaMessage, at: RecordPosition, type: string, payload: unknown, history: DeliveryHistory): InboundEvent {
  const headers: RawHeaders = message.headers ?? {};
  const envelope = readEnvelope(headers);
  const id = envelope.id ?? `${at.topic}-${at.partition}-${at.offset}`;
  const metadata: EventMetadata = {
    id,
    type,
    source: envelope.source ?? 'unknown',
    time: envelope.time ?? new Date(Number(message.timestamp)).toISOString(),
    correlationId: envelope.correlationId ?? id,
    causationId: envelope.causationId,
    traceparent: envelope.traceparent,
    key: message.key?.toString(),
    topic: at.topic,
    partition: at.partition,
    offset: at.offset,
    headers,
  };
  return { type, payload, metadata, history, record: { key: message.key, value: message.value, headers } };
}
