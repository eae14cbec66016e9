import { Publisher, type Envelope, type EventCodec } from '@troupe/kit';
import type { CatalogEntry } from '@troupe/kit/internal';
import type { CliContext } from '../context';
import { requireTopics, type KafkaSession } from '../kafka/client';
import type { PublishContracts } from './contracts-source';
import { keyFor, type Route } from './event-type';
import { failureOf, type PayloadInput } from './input';
import { describeProblem, payloadFromJson } from './json-payload';

/** An event checked against its schema and keyed, ready to encode and send. */
export interface PreparedEvent {
  label?: string;
  key: string;
  payload: unknown;
}

/**
 * Checks every payload against the event type's schema and finds its key, before anything is
 * sent: one bad payload fails them all, with a line per bad payload naming it (`line 3`), the
 * field path and the expected type.
 */
export function prepareEvents(
  entry: CatalogEntry,
  route: Route,
  inputs: PayloadInput[],
  keyFlag: string | undefined,
  contracts: PublishContracts,
): PreparedEvent[] {
  const prepared: PreparedEvent[] = [];
  const problems: string[] = [];
  for (const input of inputs) {
    const prefix = input.label === undefined ? '' : `${input.label}: `;
    const result = payloadFromJson(entry.type, input.json);
    if (!result.ok) {
      problems.push(`${prefix}${entry.name}: invalid payload ${describeProblem(result.problem)}`);
      continue;
    }
    try {
      const key = keyFor(route, result.value, keyFlag, contracts.topicsShownAs);
      prepared.push({
        ...(input.label === undefined ? {} : { label: input.label }),
        key,
        payload: result.value,
      });
    } catch (error) {
      problems.push(`${prefix}${(error as Error).message}`);
    }
  }
  if (problems.length > 0) throw failureOf(problems);
  return prepared;
}

export interface SendOptions {
  eventType: string;
  topic: string;
  codec: EventCodec;
  source: string;
  correlationId?: string;
  json: boolean;
}

/** Events per send: one request per broker, well under the broker's default message.max.bytes. */
const CHUNK = 500;

/**
 * Publishes the events through kit's Publisher (the CloudEvents headers and traceparent exactly
 * as services send them), in order, and prints each one's id, correlation id, topic and key.
 * (Not the partition and offset: the port's send() does not return them.)
 */
export async function sendEvents(
  session: KafkaSession,
  events: PreparedEvent[],
  options: SendOptions,
  context: CliContext,
): Promise<void> {
  await requireTopics(session, [options.topic]);
  const publisher = new Publisher({
    kafka: session.kafka,
    codec: options.codec,
    source: options.source,
  });
  const envelopes: Envelope[] = [];
  try {
    for (let from = 0; from < events.length; from += CHUNK) {
      const chunk = events.slice(from, from + CHUNK);
      try {
        envelopes.push(
          ...(await publisher.publishMany(
            chunk.map((event) => ({
              type: options.eventType,
              topic: options.topic,
              key: event.key,
              payload: event.payload,
              ...(options.correlationId === undefined
                ? {}
                : { correlationId: options.correlationId }),
            })),
          )),
        );
      } catch (error) {
        if (envelopes.length === 0) throw error;
        for (const line of describeAll(events, envelopes, options)) context.out(line);
        throw new Error(
          `published ${envelopes.length} of ${events.length} events, then: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
  } finally {
    await publisher.disconnect().catch(() => undefined);
  }
  for (const line of describeAll(events, envelopes, options)) context.out(line);
}

function describeAll(
  events: PreparedEvent[],
  envelopes: Envelope[],
  options: SendOptions,
): string[] {
  return envelopes.map((envelope, i) => {
    const event = events[i] as PreparedEvent;
    if (options.json) {
      return JSON.stringify({
        ...(event.label === undefined ? {} : { line: Number(event.label.replace(/^line /, '')) }),
        id: envelope.id,
        type: envelope.type,
        source: envelope.source,
        time: envelope.time,
        correlationId: envelope.correlationId,
        traceparent: envelope.traceparent,
        topic: options.topic,
        key: event.key,
      });
    }
    const prefix = event.label === undefined ? '' : `${event.label}: `;
    return `${prefix}published ${envelope.type} to ${options.topic} (key ${event.key}): event id ${envelope.id}, correlation id ${envelope.correlationId}`;
  });
}
