import { randomUUID } from 'node:crypto';
import { Headers, headerString } from '@troupe/kit';
import type { Kafka } from 'kafkajs';

export interface ProbeOptions {
  /** Only records written at or after this time are read (one offset lookup per partition). */
  since: Date;
  /** Gives up (answering false is not safe, so it throws) after this long. Default 30 s. */
  timeoutMs?: number;
}

/**
 * Answers "is an event with this id already on the topic?" by reading the topic itself, from
 * `since` up to the high watermark of every partition, with a throwaway consumer group.
 *
 * Why a service needs this: a handler that died after Kafka stored its event but before it learnt
 * so (the produce acknowledgement in flight) or before it recorded so (the dedup mark) cannot tell
 * from its own state whether the event went out. The log can. Reading it is slow (a group join),
 * so it is only for the recovery path, never for every event.
 */
export async function isEventOnTopic(
  kafka: Kafka,
  topic: string,
  eventId: string,
  options: ProbeOptions,
): Promise<boolean> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `troupe-probe-${randomUUID()}`;
  try {
    const [starts, ends] = await Promise.all([
      admin.fetchTopicOffsetsByTimestamp(topic, options.since.getTime()),
      admin.fetchTopicOffsets(topic),
    ]);
    const end = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
    const pending = new Set(
      starts.filter((p) => BigInt(p.offset) < (end.get(p.partition) ?? 0n)).map((p) => p.partition),
    );
    if (pending.size === 0) return false;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, sessionTimeout: 10_000 });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic });
      return await new Promise<boolean>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `topic probe: expected to read ${topic} up to its end within ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
        const settle = (found: boolean) => {
          clearTimeout(timer);
          resolve(found);
        };
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ partition, message }) => {
              if (headerString(message.headers, Headers.id) === eventId) return settle(true);
              if (BigInt(message.offset) + 1n >= (end.get(partition) ?? 0n))
                pending.delete(partition);
              if (pending.size === 0) settle(false);
            },
          })
          // Each partition starts exactly where `since` begins (seek, not admin.setOffsets: that
          // one waits seconds on a group that does not exist yet).
          .then(() => {
            for (const p of starts)
              consumer.seek({ topic, partition: p.partition, offset: p.offset });
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  } finally {
    await admin.disconnect();
  }
}
