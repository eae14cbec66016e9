import { randomUUID } from 'node:crypto';
import { Headers, KafkaDriver, headerString } from '@troupe/kit';
import { nextOffset } from '@troupe/kit/internal';

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
  kafka: KafkaDriver,
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
      admin.topicOffsetsAt(topic, options.since.getTime()),
      admin.topicOffsets(topic),
    ]);
    const end = new Map(ends.map((p) => [p.partition, BigInt(p.high)]));
    const pending = new Set(
      starts.filter((p) => BigInt(p.offset) < (end.get(p.partition) ?? 0n)).map((p) => p.partition),
    );
    if (pending.size === 0) return false;
    const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 100, sessionTimeoutMs: 10_000 });
    try {
      return await new Promise<boolean>((resolve, reject) => {
        let settled = false;
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
          settled = true;
          clearTimeout(timer);
          resolve(found);
        };
        consumer
          .run({
            topics: [topic],
            // Each partition starts exactly where `since` begins: sought in onAssigned, before any
            // fetch (admin.setCommittedOffsets would wait seconds on a group that does not exist yet).
            fromBeginning: false,
            partitionConcurrency: 1,
            onAssigned: (assignment) => {
              const mine = new Set(assignment[topic] ?? []);
              for (const p of starts)
                if (mine.has(p.partition)) consumer.seek(topic, p.partition, p.offset);
            },
            onBatch: async ({ partition, records }) => {
              for (const record of records) {
                if (settled) return;
                if (headerString(record.headers, Headers.id) === eventId) return settle(true);
                if (BigInt(record.offset) + 1n >= (end.get(partition) ?? 0n))
                  pending.delete(partition);
                if (pending.size === 0) return settle(false);
              }
              // The group commits nothing (it is deleted after): a seek is what moves it on.
              const last = records[records.length - 1];
              if (last && !settled) consumer.seek(topic, partition, nextOffset(last.offset));
            },
            onCrash: (error, restarting) => {
              if (restarting) return;
              clearTimeout(timer);
              reject(error);
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.stop();
      await admin.deleteGroups([groupId]).catch(() => undefined);
    }
  } finally {
    await admin.disconnect();
  }
}
