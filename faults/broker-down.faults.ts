/**
 * The whole single-node broker SIGKILLed for 15 s and restarted in place, under a Publisher with
 * its default settings and a service declaring dedup: no acknowledged event lost, none applied
 * twice, each key's events in order, and no publish failing back to its caller.
 */
import { stackServers } from '@troupe/devstack';
import { report } from './support/figures';
import { createTopic, expectEveryEventOnce, sleep, until, useOwnStack } from './support/scenario';
import { CountedStream } from './support/stream';

jest.setTimeout(240_000);

const ownStack = useOwnStack();

test('the single broker SIGKILLed for 15 s, then restarted: nothing lost, nothing doubled, no publish failed', async () => {
  const topic = 'faults.broker-down';
  await createTopic(ownStack().settings, topic, 3);
  const stream = await CountedStream.start(
    { settings: ownStack().settings, topic, keys: 7, perKey: 150, intervalMs: 40 },
    'faults-broker-down',
  );
  try {
    stream.publish();
    await until(() => stream.acknowledgedCount >= 200, 60_000, '200 events acknowledged');
    const servers = stackServers(ownStack());
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
    await expectEveryEventOnce(stream, figures);
  } finally {
    await stream.stop();
  }
});
