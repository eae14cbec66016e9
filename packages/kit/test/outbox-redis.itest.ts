import path from 'node:path';
import type { Redis } from 'ioredis';
import { createFailFastRedis } from '../src/dedup';
import type { KafkaDriver } from '../src/kafka';
import { RedisOutbox, RedisOutboxRelay, runRedisOutboxRelay } from '../src/outbox';
import {
  ChildScript,
  type TestConsumer,
  collect,
  createTopic,
  deleteTopics,
  kafkaClient,
  sleep,
  uniqueName,
  waitFor,
} from './fixtures/dedup-support';

jest.setTimeout(90_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'outbox-relay.ts');

describe('Redis outbox and relay', () => {
  let redis: Redis;
  let kafka: KafkaDriver;
  const relays: RedisOutboxRelay[] = [];
  const consumers: TestConsumer[] = [];
  const children: ChildScript[] = [];
  const topics: string[] = [];
  const streams: string[] = [];

  beforeAll(() => {
    redis = createFailFastRedis(process.env.TROUPE_REDIS_URL as string);
    kafka = kafkaClient();
  });
  afterAll(async () => {
    for (const child of children) await child.kill();
    for (const relay of relays) await relay.stop();
    for (const consumer of consumers) await consumer.stop();
    await deleteTopics(kafka, topics);
    for (const stream of streams)
      await redis.del(stream, `${stream}:relay-lease:troupe-outbox-relay`);
    redis.disconnect();
  });

  async function setup() {
    const topic = uniqueName('redis_outbox');
    const stream = `troupe:outbox:${uniqueName('svc')}`;
    topics.push(topic);
    streams.push(stream);
    await createTopic(kafka, topic, 1);
    const { consumer, messages } = await collect(kafka, topic);
    consumers.push(consumer);
    return { topic, outbox: new RedisOutbox({ stream }), messages };
  }

  test('state change and outbox entry in one MULTI/EXEC: EXEC publishes, DISCARD and a failed WATCH do not', async () => {
    const { topic, outbox, messages } = await setup();
    relays.push(
      await runRedisOutboxRelay({
        outbox,
        redis,
        kafka,
        blockMs: 200,
        publishTimeoutMs: 2_000,
        leaseMs: 3_000,
      }),
    );
    const order = `order:${uniqueName('o')}`;

    const committed = redis.multi().hset(order, 'status', 'placed');
    await outbox.add(committed, {
      topic,
      key: 'o-1',
      value: 'placed',
      headers: { ce_id: 'r-1', bin: Buffer.from([9]) },
    });
    await committed.exec();

    const discarded = redis.multi().hset(order, 'status', 'cancelled');
    await outbox.add(discarded, { topic, key: 'o-1', value: 'cancelled (discarded)' });
    await discarded.discard();

    const watcher = createFailFastRedis(process.env.TROUPE_REDIS_URL as string);
    await watcher.watch(order);
    const watched = watcher.multi().hset(order, 'status', 'shipped');
    await outbox.add(watched, { topic, key: 'o-1', value: 'shipped (lost the race)' });
    await redis.hset(order, 'status', 'changed by someone else');
    expect(await watched.exec()).toBeNull(); // WATCH failed: neither the state nor the entry
    watcher.disconnect();

    await waitFor(() => messages.length >= 1, 20_000, 'the committed entry');
    await sleep(1_000);
    expect(messages.map((m) => String(m.value))).toEqual(['placed']);
    expect(String(messages[0]?.headers?.ce_id)).toBe('r-1');
    expect(messages[0]?.headers?.bin).toEqual(Buffer.from([9]));
    expect(await redis.hget(order, 'status')).toBe('changed by someone else');
    await waitFor(
      async () => (await outbox.stats(redis)).pending === 0,
      5_000,
      'acked and deleted',
    );
    await redis.del(order);
  });

  test("a crashed relay's entries are claimed by another after the idle timeout, in order", async () => {
    const { topic, outbox, messages } = await setup();
    for (let i = 0; i < 30; i++) {
      const multi = redis.multi();
      await outbox.add(multi, {
        topic,
        key: `agg-${i % 3}`,
        value: `${i % 3}:${Math.floor(i / 3)}`,
        headers: { ce_id: `e-${i}` },
      });
      await multi.exec();
    }
    // Relay A takes the lease, publishes a batch and hangs before XACK; then it is killed.
    const crashed = new ChildScript(FIXTURE, {
      kind: 'redis',
      stream: outbox.stream,
      batchSize: 10,
      hangAfterPublish: true,
      leaseMs: 3_000,
      claimIdleMs: 1_000,
    });
    children.push(crashed);
    await crashed.waitForLine((l) => 'published' in l, 30_000, 'relay A to publish');
    // Relay B starts while A still holds the lease: it must wait, not overtake A's entries.
    const standby = await runRedisOutboxRelay({
      outbox,
      redis,
      kafka,
      batchSize: 10,
      blockMs: 200,
      publishTimeoutMs: 1_000,
      leaseMs: 3_000,
      claimIdleMs: 1_000,
    });
    relays.push(standby);
    await sleep(1_000);
    const pendingOfA = (await redis.xpending(outbox.stream, 'troupe-outbox-relay')) as [
      number,
      string,
      string,
      [string, string][],
    ];
    expect(pendingOfA[0]).toBe(10);
    expect(messages.length).toBeLessThanOrEqual(10); // only A's batch so far
    await crashed.kill('SIGKILL');

    await waitFor(
      async () => (await outbox.stats(redis)).pending === 0,
      30_000,
      'B to claim and drain',
    );
    await waitFor(() => messages.length >= 40, 10_000, 'A batch again plus the rest');
    const summary = (await redis.xpending(outbox.stream, 'troupe-outbox-relay')) as [number];
    expect(summary[0]).toBe(0);
    const firstSeen = new Map<string, number>();
    const applied: string[] = [];
    for (const m of messages) {
      const id = String(m.headers?.ce_id);
      if (!firstSeen.has(id)) {
        firstSeen.set(id, applied.length);
        applied.push(String(m.value));
      }
    }
    expect(firstSeen.size).toBe(30); // every entry published at least once
    expect(messages.length).toBe(40); // A's 10, republished by B after the claim, then 20 new
    for (const agg of ['0', '1', '2']) {
      const seqs = applied
        .filter((v) => v.startsWith(`${agg}:`))
        .map((v) => Number(v.split(':')[1]));
      expect(seqs).toEqual([...Array(10).keys()]);
    }
  });
});
