import { Kafka, logLevel } from 'kafkajs';

/**
 * Waits until consumer group `groupId` has committed every record of `topic` (no lag): only then
 * has a service that restarted handled what it was redelivered, and counting its output means
 * something.
 */
export async function groupCaughtUp(
  brokers: string,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<void> {
  const admin = new Kafka({
    clientId: 'troupe-demo-lag',
    brokers: brokers.split(','),
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [ends, [committed]] = await Promise.all([
        admin.fetchTopicOffsets(topic),
        admin.fetchOffsets({ groupId, topics: [topic] }),
      ]);
      const at = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
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
