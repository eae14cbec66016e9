import { defineService } from '@troupe/kit';
import {
  TestEvents,
  committedOffsets,
  createTopics,
  testPublisher,
  testService,
  uniqueName,
  waitFor,
} from './support/runtime-support';

jest.setTimeout(90_000);

const KEYS = 100;
const PER_KEY = 100; // 10,000 events
const PARTITIONS = 8;

test('order per key holds with 8 partitions handled concurrently (10,000 events)', async () => {
  const topic = uniqueName('rt-order');
  await createTopics([{ topic, partitions: PARTITIONS }]);

  const publisher = await testPublisher();
  const events = [];
  for (let seq = 0; seq < PER_KEY; seq++) {
    for (let k = 0; k < KEYS; k++)
      events.push({
        type: 'test.runtime.Counted',
        topic,
        key: `key-${k}`,
        payload: { key: `key-${k}`, seq, note: null },
      });
  }
  for (let i = 0; i < events.length; i += 1_000)
    await publisher.publishMany(events.slice(i, i + 1_000));
  await publisher.disconnect();

  const seen = new Map<string, number[]>();
  const partitionsInFlight = new Set<number>();
  let maxConcurrentPartitions = 0;
  let handled = 0;
  const name = uniqueName('order-svc');
  const service = testService(
    defineService<TestEvents>()({
      name,
      topics: [topic],
      consumes: {
        'test.runtime.Counted': async (payload, ctx) => {
          partitionsInFlight.add(ctx.metadata.partition);
          maxConcurrentPartitions = Math.max(maxConcurrentPartitions, partitionsInFlight.size);
          // Yield so other partitions' handlers can interleave with this one.
          await new Promise((resolve) => setImmediate(resolve));
          let list = seen.get(payload.key);
          if (!list) seen.set(payload.key, (list = []));
          list.push(payload.seq);
          handled++;
          partitionsInFlight.delete(ctx.metadata.partition);
        },
      },
    }),
    { partitionConcurrency: PARTITIONS, retry: { topicDelaysMs: [] } },
  );
  await service.start();
  try {
    await waitFor(
      () => handled >= KEYS * PER_KEY,
      60_000,
      `${KEYS * PER_KEY} events handled (at ${handled})`,
    );
  } finally {
    await service.stop();
  }

  expect(handled).toBe(KEYS * PER_KEY);
  expect(seen.size).toBe(KEYS);
  const expected = Array.from({ length: PER_KEY }, (_, i) => i);
  for (const [, seqs] of seen) expect(seqs).toEqual(expected);
  expect(maxConcurrentPartitions).toBeGreaterThan(1);

  // Everything handled was committed: the group's offsets add up to the topic's size.
  const offsets = await committedOffsets(name, topic);
  expect([...offsets.values()].reduce((a, b) => a + b, 0)).toBe(KEYS * PER_KEY);
});
