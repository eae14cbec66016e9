/**
 * The whole single-node broker SIGKILLed for 15 s and restarted in place, under a Publisher with
 * its default settings and a service declaring dedup: no acknowledged event lost, none applied
 * twice, each key's events in order, and no publish failing back to its caller.
 */
import { type LocalStack, stackServers, startLocalStack, stopLocalStack } from '@troupe/devstack';
import { report } from './support/figures';
import { createTopic, sleep, until } from './support/scenario';
import { CountedStream } from './support/stream';

jest.setTimeout(240_000);

let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack();
  // The testkit's readers (consumeUntil) reach the stack this scenario started.
  Object.assign(process.env, stack.settings);
}, 120_000);

afterAll(async () => {
  await stopLocalStack(stack);
});

test('the single broker SIGKILLed for 15 s, then restarted: nothing lost, nothing doubled, no publish failed', async () => {
  const topic = 'faults.broker-down';
  await createTopic(stack.settings, topic, 3);
  const stream = await CountedStream.start(
    { settings: stack.settings, topic, keys: 7, perKey: 150, intervalMs: 40 },
    'faults-broker-down',
  );
  try {
    stream.publish();
    await until(() => stream.acknowledgedCount >= 200, 60_000, '200 events acknowledged');
    const servers = stackServers(stack);
    await servers.kill('kafka');
    stream.markFault();
    const killedAt = Date.now();
    await sleep(15_000);
    await servers.restart('kafka');
    process.stdout.write(
      `kafka answering again ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill\n`,
    );
    await stream.produced();
    await stream.drained(90_000);
    const figures = await stream.figures('single broker SIGKILLed for 15 s');
    report(figures);
    if (stream.publishFailures.length > 0)
      process.stdout.write(`publish failures: ${stream.publishFailures.join('; ')}\n`);
    if (figures.lost > 0)
      process.stdout.write(
        `lost: ${stream.lostEvents().join(', ')}; in the topic: ${(await stream.inTopic(stream.lostEvents().map((e) => e.split(' ')[0]!))).join(', ') || 'none'}\n`,
      );
    expect(stream.lostEvents()).toEqual([]);
    expect(stream.publishFailures).toEqual([]);
    expect(figures).toMatchObject({ lost: 0, duplicated: 0, orderViolations: 0, deadLettered: 0 });
    expect(figures.handled).toBe(figures.acknowledged);
  } finally {
    await stream.stop();
  }
});
