/**
 * Nodes of a three-node KRaft cluster SIGKILLed mid-stream, under a Publisher with its default
 * settings and a service declaring dedup: the leader of a partition the stream writes to, then
 * the active controller. Each time: no acknowledged event lost, none applied twice, each key's
 * events in order, no publish failing back to its caller, and the node restarted in place.
 */
import {
  type LocalStack,
  activeController,
  stackServers,
  startLocalStack,
  stopLocalStack,
} from '@troupe/devstack';
import { report } from './support/figures';
import { createTopic, sleep, until } from './support/scenario';
import { CountedStream } from './support/stream';

jest.setTimeout(240_000);

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ kafkaNodes: 3 });
  // The testkit's readers (consumeUntil) reach the cluster this scenario started.
  Object.assign(process.env, stack.settings);
}, 180_000);

afterAll(async () => {
  await stopLocalStack(stack);
});

/** Runs the stream, kills `victim()` once 200 events are acknowledged, restarts it 10 s later. */
async function killMidStream(
  scenario: string,
  name: string,
  victim: (topic: string, leaders: number[]) => string,
) {
  const topic = `faults.${name}`;
  const partitions = await createTopic(stack.settings, topic, 3);
  const stream = await CountedStream.start(
    { settings: stack.settings, topic, keys: 7, perKey: 150, intervalMs: 40 },
    `faults-${name}`,
  );
  try {
    stream.publish();
    await until(() => stream.acknowledgedCount >= 200, 60_000, '200 events acknowledged');
    const node = victim(
      topic,
      partitions.map((p) => p.leader),
    );
    const servers = stackServers(stack);
    await servers.kill(node);
    stream.markFault();
    await sleep(10_000);
    await servers.restart(node);
    await stream.produced();
    await stream.drained(90_000);
    const figures = await stream.figures(`${scenario} (${node})`);
    report(figures);
    if (stream.publishFailures.length > 0)
      process.stdout.write(`publish failures: ${stream.publishFailures.join('; ')}\n`);
    if (figures.lost > 0)
      process.stdout.write(
        `lost: ${stream.lostEvents().join(', ')}; in the topic: ${(await stream.inTopic(stream.lostEvents().map((e) => e.split(' ')[0]!))).join(', ') || 'none'}\n`,
      );
    expect(stream.publishFailures).toEqual([]);
    expect(figures).toMatchObject({ lost: 0, duplicated: 0, orderViolations: 0, deadLettered: 0 });
    expect(figures.handled).toBe(figures.acknowledged);
  } finally {
    await stream.stop();
  }
}

test('the leader of a partition SIGKILLed mid-stream: nothing lost, nothing doubled, order kept, no publish failed', async () => {
  await killMidStream(
    'partition leader SIGKILLed on 3 nodes',
    'leader-kill',
    (_topic, leaders) => `kafka-${leaders[0]}`,
  );
});

test('the active controller SIGKILLed mid-stream: a new one is elected, nothing lost, nothing doubled', async () => {
  const before = activeController(stack);
  await killMidStream('active controller SIGKILLed on 3 nodes', 'controller-kill', () =>
    activeController(stack),
  );
  expect(activeController(stack)).toBeDefined();
  process.stdout.write(`controller before: ${before}, after: ${activeController(stack)}\n`);
});
