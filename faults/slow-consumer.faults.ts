/**
 * A consumer ten times slower than its producer for 60 s, on one broker: 100 events a second
 * published to one partition, a handler that takes 100 ms an event. Lag grows and the service
 * reports what Kafka reports, memory stays bounded, and the group does not rebalance (no storm of
 * generations). Then the handler is made fast and the backlog drains: nothing lost, nothing doubled.
 */
import { report } from './support/figures';
import { createTopic, expectEveryEventOnce, sleep, useOwnStack } from './support/scenario';
import { CountedStream } from './support/stream';

jest.setTimeout(240_000);

const ownStack = useOwnStack();

test('a consumer 10× slower than its producer for 60 s: lag grows and is reported, memory bounded, no rebalance', async () => {
  const topic = 'faults.slow-consumer';
  await createTopic(ownStack().settings, topic, 1);
  const stream = await CountedStream.start(
    // 5 keys, an event each every 50 ms: 100 a second for 60 s.
    {
      settings: ownStack().settings,
      topic,
      keys: 5,
      perKey: 1_200,
      intervalMs: 50,
      handlerDelayMs: 100,
    },
    'faults-slow-consumer',
  );
  try {
    const joinsAtStart = stream.groupJoins;
    stream.publish();
    const samples: { at: number; reported: number; kafka: number }[] = [];
    const sampling = (async () => {
      for (let s = 0; s < 6; s += 1) {
        await sleep(10_000);
        samples.push({ at: (s + 1) * 10, ...(await stream.lag()) });
      }
    })();
    await stream.produced();
    await sampling;
    const joinsWhileSlow = stream.groupJoins - joinsAtStart;
    process.stdout.write(
      `slow consumer lag (s: reported/kafka): ${samples.map((s) => `${s.at}: ${s.reported}/${s.kafka}`).join(', ')}; ` +
        `group joins while slow: ${joinsWhileSlow}\n`,
    );
    stream.slowHandler(0);
    const fastAt = Date.now();
    await stream.drained(120_000);
    // Its recovery: the backlog drained once the handler is fast again.
    const figures = await stream.figures(
      'consumer 10× slower than its producer for 60 s',
      (Date.now() - fastAt) / 1000,
    );
    report(figures);
    // Lag grew all along, to thousands of events, and the gauge said so within a refresh's worth
    // of events (the gauge refreshes every few seconds; Kafka's figure is read a moment later).
    const last = samples.at(-1)!;
    expect(last.kafka).toBeGreaterThan(3_000);
    for (let i = 1; i < samples.length; i += 1)
      expect(samples[i]!.kafka).toBeGreaterThan(samples[i - 1]!.kafka);
    for (const sample of samples)
      expect(Math.abs(sample.reported - sample.kafka)).toBeLessThan(
        Math.max(600, sample.kafka * 0.2),
      );
    expect(joinsWhileSlow).toBe(0);
    expect(figures.peakRssMb).toBeLessThan(1_024);
    await expectEveryEventOnce(stream, figures);
  } finally {
    await stream.stop();
  }
});
