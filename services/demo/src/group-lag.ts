import type { KafkaDriver } from '@troupe/kit';

/**
 * Waits until consumer group `groupId` has committed every record of `topic` (no lag): only then
 * has a service that restarted handled what it was redelivered, and counting its output means
 * something.
 */
export async function groupCaughtUp(
  kafka: KafkaDriver,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [ends, committed] = await Promise.all([
        admin.topicOffsets(topic),
        admin.committedOffsets(groupId, [topic]),
      ]);
      const at = new Map(committed.map((p) => [p.partition, Number(p.offset)]));
      const lagging = ends.filter((p) => Number(p.high) > Math.max(0, at.get(p.partition) ?? 0));
      if (lagging.length === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `expected group ${groupId} to catch up on ${topic} within ${timeoutMs} ms; partitions ${lagging.map((p) => p.partition).join(', ')} lag`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await admin.disconnect();
  }
}
