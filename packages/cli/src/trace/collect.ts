import { Headers, headerString } from '@troupe/kit';
import { type ConsumedRecord } from '@troupe/kit/internal';
import type { KafkaSession } from '../kafka/client';
import { rangesOf, readRanges } from '../kafka/read-range';
import { throwawayGroup } from '../kafka/throwaway-group';
import type { TraceEvent } from './flow';
import { hopOf } from './hop';

export interface CollectOptions {
  correlationId: string;
  topics: string[];
  /** Epoch milliseconds: reading starts at the first offset at or after it in each partition. */
  sinceMs: number;
}

/**
 * Reads each topic (all at once, one throwaway consumer each) from the offsets at `sinceMs`
 * (topicOffsetsAt) to the high watermarks at start, and keeps the records of the
 * flow: ce_correlationid equal to the id, or ce_id equal to it (the flow's first event, or any
 * single event asked for by its id).
 */
export async function collectFlow(
  session: KafkaSession,
  options: CollectOptions,
): Promise<TraceEvent[]> {
  const found: TraceEvent[] = [];
  // One reader failing stops the others: none may outlive the command.
  const stop = new AbortController();
  const results = await Promise.allSettled(
    options.topics.map(async (topic) => {
      try {
        const ranges = await rangesOf(session.admin, topic, { timestampMs: options.sinceMs });
        await readRanges({
          kafka: session.kafka,
          topic,
          ranges,
          signal: stop.signal,
          groupId: throwawayGroup('trace'),
          onBatch: async ({ partition, messages }) => {
            for (const message of messages) {
              const event = flowEvent(topic, partition, message, options.correlationId);
              if (event) found.push(event);
            }
          },
        });
      } catch (error) {
        stop.abort(error);
        throw error;
      }
    }),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return found;
}

/** The record as a TraceEvent when it belongs to the flow, else undefined. */
export function flowEvent(
  topic: string,
  partition: number,
  message: Pick<ConsumedRecord, 'key' | 'value' | 'headers' | 'offset' | 'timestamp'>,
  correlationId: string,
): TraceEvent | undefined {
  const { headers } = message;
  const h = (name: string) => headerString(headers, name);
  const id = h(Headers.id);
  const correlation = h(Headers.correlationId);
  if (id === undefined || (correlation !== correlationId && id !== correlationId)) return undefined;
  const hop = hopOf(topic, headers);
  // A copy keeps the original's ce_time: when it was moved is the record's own timestamp.
  const ceTime = hop === undefined ? h(Headers.time) : undefined;
  const parsed = ceTime === undefined ? Number.NaN : Date.parse(ceTime);
  const event: TraceEvent = {
    id,
    time: Number.isNaN(parsed) ? Number(message.timestamp) : parsed,
    topic,
    partition,
    offset: message.offset,
    value: message.value,
    headers,
    ...(hop === undefined ? {} : { hop }),
  };
  const optional: [keyof TraceEvent, string | undefined][] = [
    ['type', h(Headers.type)],
    ['source', h(Headers.source)],
    ['correlationId', correlation],
    ['causationId', h(Headers.causationId)],
    ['key', message.key?.toString()],
  ];
  for (const [field, value] of optional)
    if (value !== undefined) Object.assign(event, { [field]: value });
  return event;
}
