import { createKafkaDriver, loadKafkaConnection } from '@troupe/kit';
import type { StackSettings } from '@troupe/devstack';

/** Creates a topic on the stack (its default replication: three on a cluster, one otherwise). */
export async function createTopic(settings: StackSettings, topic: string, partitions: number) {
  const admin = createKafkaDriver(
    loadKafkaConnection({ ...settings, TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER }),
    { clientId: 'faults-admin' },
  ).admin();
  await admin.connect();
  try {
    await admin.createTopics([{ topic, partitions }]);
    return (await admin.describeTopics([topic]))[0]!.partitions;
  } finally {
    await admin.disconnect();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition` holds; rejects naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
