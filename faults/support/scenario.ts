import { createKafkaDriver, loadKafkaConnection } from '@troupe/kit';
import {
  type LocalStack,
  type StackSettings,
  type StartOptions,
  startLocalStack,
  stopLocalStack,
} from '@troupe/devstack';
import type { FaultFigures } from './figures';
import type { CountedStream } from './stream';

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

/**
 * A stack of the scenario file's own, started before its tests and stopped after them: the
 * scenarios break its servers. The testkit's readers (consumeUntil) reach it too. `options` may
 * be made once the scenario's other beforeAll hooks ran (a proxy's port, say).
 */
export function useOwnStack(
  options: StartOptions | (() => Promise<StartOptions>) = {},
): () => LocalStack {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = await startLocalStack(typeof options === 'function' ? await options() : options);
    Object.assign(process.env, stack.settings);
  }, 180_000);
  afterAll(async () => {
    if (stack) await stopLocalStack(stack);
  });
  return () => {
    if (!stack) throw new Error('the stack is not started yet: use it inside a test');
    return stack;
  };
}

/**
 * What every scenario promises: no publish failed back to its caller, each acknowledged event
 * applied once, in order per key (`overtakenAfterRetryTopic`: save events the service sent to its
 * retry topic, as the guarantees table says), nothing dead-lettered. A failure first says which events the
 * caller saw fail, and whether a lost event is in the topic (the consumer skipped it) or not (the
 * producer never wrote it).
 */
export async function expectEveryEventOnce(
  stream: CountedStream,
  figures: FaultFigures,
  options: { overtakenAfterRetryTopic?: boolean } = {},
) {
  if (stream.publishFailures.length > 0)
    process.stdout.write(`publish failures: ${stream.publishFailures.join('; ')}\n`);
  const lost = stream.lostEvents();
  if (lost.length > 0) {
    const found = await stream.inTopic(lost.map((e) => e.split(' ')[0]!));
    process.stdout.write(`lost: ${lost.join(', ')}; in the topic: ${found.join(', ') || 'none'}\n`);
  }
  expect(lost).toEqual([]);
  expect(stream.publishFailures).toEqual([]);
  expect(figures).toMatchObject({ lost: 0, duplicated: 0, deadLettered: 0 });
  if (options.overtakenAfterRetryTopic) {
    // The guarantees table's limit: an event sent to the retry topic is overtaken by later events
    // of its key; any other reordering is a violation.
    const retried = await stream.retriedViaTopic();
    process.stdout.write(`through the retry topic: ${retried}\n`);
    expect(figures.orderViolations).toBeLessThanOrEqual(retried);
  } else expect(figures.orderViolations).toBe(0);
  expect(figures.handled).toBe(figures.acknowledged);
}
