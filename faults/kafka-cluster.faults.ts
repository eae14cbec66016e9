/**
 * Nodes of a three-node KRaft cluster SIGKILLed mid-stream, under a Publisher with its default
 * settings and a service declaring dedup: the leader of a partition the stream writes to, then
 * the active controller. Each time: no acknowledged event lost, none applied twice, each key's
 * events in order, no publish failing back to its caller, and the node restarted in place.
 */
import { activeController, stackServers } from '@troupe/devstack';
import { report } from './support/figures';
import { createTopic, expectEveryEventOnce, sleep, until, useOwnStack } from './support/scenario';
import { CountedStream } from './support/stream';

jest.setTimeout(240_000);

const ownStack = useOwnStack({ kafkaNodes: 3 });

/**
 * Runs the stream, kills `victim()` once 200 events are acknowledged, restarts it 10 s later;
 * resolves with the node killed.
 */
async function killMidStream(
  scenario: string,
  name: string,
  victim: (leaders: number[]) => string,
): Promise<string> {
  const topic = `faults.${name}`;
  const partitions = await createTopic(ownStack().settings, topic, 3);
  const stream = await CountedStream.start(
    { settings: ownStack().settings, topic, keys: 7, perKey: 150, intervalMs: 40 },
    `faults-${name}`,
  );
  try {
    stream.publish();
    await until(() => stream.acknowledgedCount >= 200, 60_000, '200 events acknowledged');
    const node = victim(partitions.map((p) => p.leader));
    const servers = stackServers(ownStack());
    await servers.kill(node);
    stream.markFault();
    await sleep(10_000);
    await servers.restart(node);
    await stream.produced();
    await stream.drained(90_000);
    const figures = await stream.figures(`${scenario} (${node})`);
    report(figures);
    await expectEveryEventOnce(stream, figures);
    return node;
  } finally {
    await stream.stop();
  }
}

test('the leader of a partition SIGKILLed mid-stream: nothing lost, nothing doubled, order kept, no publish failed', async () => {
  await killMidStream(
    'partition leader SIGKILLed on 3 nodes',
    'leader-kill',
    (leaders) => `kafka-${leaders[0]}`,
  );
});

test('the active controller SIGKILLed mid-stream: a new one is elected, nothing lost, nothing doubled', async () => {
  const killed = await killMidStream(
    'active controller SIGKILLed on 3 nodes',
    'controller-kill',
    () => activeController(ownStack()),
  );
  // The quorum elected another while it was down; it came back a follower.
  const now = activeController(ownStack());
  process.stdout.write(`controller killed: ${killed}, active now: ${now}\n`);
  expect(now).not.toBe(killed);
});
