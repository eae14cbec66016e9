import { TroupeService, defineService } from '@troupe/kit';
import type { KafkaAdmin } from '@troupe/kit/internal';
import {
  TestEvents,
  createTopics,
  metricValues,
  testKafka,
  testPublisher,
  testService,
  uniqueName,
  waitFor,
  withTestAdmin,
} from './support/runtime-support';

jest.setTimeout(90_000);

const running: TroupeService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function start(service: TroupeService): Promise<TroupeService> {
  running.push(service);
  await service.start();
  return service;
}

/** partition → value of the service's troupe_consumer_lag series for `topic`. */
async function lagOf(service: TroupeService, topic: string): Promise<Map<number, number>> {
  const values = await metricValues(service, 'troupe_consumer_lag');
  return new Map(
    values
      .filter((v) => v.labels.topic === topic)
      .map((v) => [Number(v.labels.partition), v.value]),
  );
}

/** partition → high watermark: on a fresh topic, the number of records published to it. */
async function highWatermarks(topic: string): Promise<Map<number, number>> {
  const offsets = await withTestAdmin((admin) => admin.topicOffsets(topic));
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

const assignedPartitions = (service: TroupeService) =>
  (service.ready().detail as { assignedPartitions: number }).assignedPartitions;

test('consumer lag counts the events held at an open breaker, drops to 0 on recovery, and leaves with a partition lost in a rebalance', async () => {
  const topic = uniqueName('rt-lag');
  await createTopics([{ topic, partitions: 2 }]);
  const name = uniqueName('lag-svc');
  let dependencyUp = false;
  const handled = new Map<number, number>(); // partition → events handled, by either member
  const definition = defineService<TestEvents>()({
    name,
    topics: [topic],
    consumes: {
      'test.runtime.Counted': {
        dependsOn: ['deploy-api'],
        handle: async (_payload, ctx) => {
          await ctx.breaker('deploy-api').run(() => {
            if (!dependencyUp) throw new Error('deploy API unreachable');
          });
          const partition = ctx.metadata.partition;
          handled.set(partition, (handled.get(partition) ?? 0) + 1);
        },
      },
    },
  });
  // One failure opens the breaker (so nothing reaches a retry topic); a trial every 500 ms
  // fetches the paused partitions again.
  const options = {
    breakers: {
      perName: {
        'deploy-api': {
          volumeThreshold: 1,
          errorThresholdPercentage: 50,
          resetTimeoutMs: 500,
          rollingWindowMs: 1_000,
        },
      },
    },
  };
  const first = await start(testService(definition, options));
  const publisher = await testPublisher();
  const publish = (round: number) =>
    publisher.publishMany(
      Array.from({ length: 12 }, (_, i) => ({
        type: 'test.runtime.Counted',
        topic,
        key: `k${i}`,
        payload: { key: `k${i}`, seq: round, note: null },
      })),
    );
  const total = () => [...handled.values()].reduce((a, b) => a + b, 0);
  const unhandledBy = async (partitions: number[]) => {
    const high = await highWatermarks(topic);
    return new Map(partitions.map((p) => [p, (high.get(p) ?? 0) - (handled.get(p) ?? 0)]));
  };
  try {
    await publish(1);
    await waitFor(
      () => first.breakers.get('deploy-api').state !== 'closed',
      15_000,
      'the breaker to open',
    );
    // More events arrive while both partitions are held at the breaker.
    await publish(2);
    const high = await highWatermarks(topic);
    expect([...high.values()].every((n) => n > 0)).toBe(true); // both partitions hold events

    // Nothing is settled during the outage, yet each partition's lag is what it holds unhandled.
    let expected = new Map<number, number>();
    let seen = new Map<number, number>();
    await waitFor(
      async () => {
        expected = await unhandledBy([0, 1]);
        seen = await lagOf(first, topic);
        return [0, 1].every((p) => seen.get(p) === expected.get(p));
      },
      15_000,
      'the lag of the held partitions',
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: lag ${JSON.stringify([...seen])}, unhandled ${JSON.stringify([...expected])}`,
      );
    });
    expect(total()).toBe(0);
    expect([...expected.values()].reduce((a, b) => a + b, 0)).toBe(24);

    dependencyUp = true;
    await waitFor(() => total() === 24, 20_000, `all 24 events after recovery (at ${total()})`);
    await waitFor(
      async () => {
        const lag = await lagOf(first, topic);
        return lag.get(0) === 0 && lag.get(1) === 0;
      },
      10_000,
      'the lag to drop to 0 on both partitions',
    );

    // A second member of the group takes one of the partitions.
    const second = await start(testService(definition, options));
    await waitFor(
      () => assignedPartitions(first) === 1 && assignedPartitions(second) === 1,
      30_000,
      'the rebalance to give each member one partition',
    );
    await publish(3);
    await waitFor(() => total() === 36, 20_000, `all 36 events after the rebalance (${total()})`);
    const firstLag = await lagOf(first, topic);
    let secondLag = new Map<number, number>();
    await waitFor(
      async () => (secondLag = await lagOf(second, topic)).size === 1,
      10_000,
      "the second member's lag",
    );
    // Each member reports the partition it owns and nothing else: the first one's series of the
    // partition it lost is gone, not frozen at its last value.
    expect(firstLag.size).toBe(1);
    const [firstPartition] = [...firstLag.keys()];
    const [secondPartition] = [...secondLag.keys()];
    expect(new Set([firstPartition, secondPartition])).toEqual(new Set([0, 1]));
    await waitFor(
      async () => (await lagOf(first, topic)).get(firstPartition!) === 0,
      10_000,
      "the first member's lag to be 0",
    );
    expect(secondLag.get(secondPartition!)).toBe(0);

    // A stopped member reports no partition at all.
    await first.stop();
    expect((await lagOf(first, topic)).size).toBe(0);
  } finally {
    await publisher.disconnect();
  }
});

/**
 * Kafka's own view of a group's lag on `topic` (what `kafka-consumer-groups --describe` shows):
 * partition → high watermark minus committed offset (-1 when none), and the committed offsets.
 */
async function kafkaLag(admin: KafkaAdmin, groupId: string, topic: string) {
  const [highs, committed] = await Promise.all([
    admin.topicOffsets(topic),
    admin.committedOffsets(groupId, [topic]),
  ]);
  const offsets = new Map(committed.map((p) => [p.partition, Number(p.offset)]));
  const lag = new Map(
    highs.map((h) => [h.partition, Number(h.high) - (offsets.get(h.partition) ?? -1)]),
  );
  return { lag, committed: offsets };
}

test("while handlers are stuck, the lag follows Kafka's view (high watermark - committed) within a refresh interval, and is 0 once all is committed", async () => {
  const topic = uniqueName('rt-lag-stuck');
  await createTopics([{ topic, partitions: 3 }]);
  const name = uniqueName('lag-stuck-svc');
  const refreshMs = 300;
  let holding = false;
  let release = () => {};
  let gate = Promise.resolve();
  const stuckOn = new Set<number>(); // partitions with a handler waiting at the gate
  const definition = defineService<TestEvents>()({
    name,
    topics: [topic],
    consumes: {
      'test.runtime.Counted': {
        handle: async (_payload, ctx) => {
          if (!holding) return;
          stuckOn.add(ctx.metadata.partition);
          await gate;
        },
      },
    },
  });
  const service = await start(
    testService(definition, { lagRefreshMs: refreshMs, handlerTimeoutMs: 120_000 }),
  );
  const admin = testKafka('troupe-test-lag-view').admin();
  await admin.connect();
  const publisher = await testPublisher();
  const publish = (round: number) =>
    publisher.publishMany(
      Array.from({ length: 15 }, (_, i) => ({
        type: 'test.runtime.Counted',
        topic,
        key: `k${i}`,
        payload: { key: `k${i}`, seq: round, note: null },
      })),
    );
  const allCommitted = async () => {
    const view = await kafkaLag(admin, name, topic);
    return view.lag.size === 3 && [...view.lag.values()].every((n) => n === 0);
  };
  const lagIsZero = async () => {
    const lag = await lagOf(service, topic);
    return [0, 1, 2].every((p) => lag.get(p) === 0);
  };
  try {
    // Round 1 flows through: every partition has events (the 15 keys hash to all three) and a
    // committed offset, so Kafka's view is a real difference, not a high watermark minus -1.
    await publish(1);
    await waitFor(allCommitted, 30_000, 'round 1 to be committed');
    const committedBefore = (await kafkaLag(admin, name, topic)).committed;
    expect([0, 1, 2].every((p) => (committedBefore.get(p) ?? 0) > 0)).toBe(true);
    await waitFor(lagIsZero, 10_000, 'the lag to be 0 after round 1');

    // Handlers now hang: a stuck batch blocks the fetches, so no fetch returns new watermarks.
    gate = new Promise<void>((resolve) => (release = resolve));
    holding = true;
    await publish(2);
    await waitFor(() => stuckOn.size > 0, 30_000, 'a handler to be stuck');
    await publish(3);
    const published = Date.now();

    let kafka = new Map<number, number>();
    let troupe = new Map<number, number>();
    await waitFor(
      async () => {
        [{ lag: kafka }, troupe] = await Promise.all([
          kafkaLag(admin, name, topic),
          lagOf(service, topic),
        ]);
        const total = [...kafka.values()].reduce((a, b) => a + b, 0);
        return total === 30 && [0, 1, 2].every((p) => troupe.get(p) === kafka.get(p));
      },
      refreshMs + 10_000,
      'the lag to equal what Kafka reports while the handlers are stuck',
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}: troupe ${JSON.stringify([...troupe])}, kafka ${JSON.stringify([...kafka])}`,
      );
    });
    // Nothing was committed meanwhile: the numbers followed the broker, not a finished batch.
    expect((await kafkaLag(admin, name, topic)).committed).toEqual(committedBefore);
    expect(Date.now() - published).toBeLessThan(refreshMs + 10_000);

    holding = false;
    release();
    await waitFor(allCommitted, 30_000, 'everything to be committed after the release');
    await waitFor(lagIsZero, refreshMs + 10_000, 'the lag to drop to 0');
  } finally {
    holding = false;
    release();
    await publisher.disconnect();
    await admin.disconnect();
  }
});
