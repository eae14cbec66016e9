import Redis from 'ioredis';
import { Client } from 'pg';
import { nextOffset } from '@troupe/kit/internal';
import { createTopics, testKafka, uniqueName, waitForEvent } from '../src';

/** Proves the stack the tests run on is a real broker, cache and database, whatever its source. */
describe('the test stack', () => {
  it('carries 10,000 keyed messages through Kafka with order kept per key', async () => {
    const topic = uniqueName('real-order');
    await createTopics([{ topic, partitions: 4 }]);
    const kafka = testKafka();
    const producer = kafka.producer();
    await producer.connect();
    const keys = 50;
    const perKey = 200;
    // Interleave keys so that order per key is not an accident of batching.
    const records = [];
    for (let seq = 0; seq < perKey; seq += 1) {
      for (let k = 0; k < keys; k += 1) records.push({ key: `key-${k}`, value: String(seq) });
    }
    for (let i = 0; i < records.length; i += 1000) {
      await producer.send([{ topic, records: records.slice(i, i + 1000) }]);
    }
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueName('real-order') });
    const lastSeq = new Map<string, number>();
    const outOfOrder: string[] = [];
    const partitionsOfKey = new Map<string, Set<number>>();
    let received = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${received} of 10000 arrived`)),
          60_000,
        );
        consumer
          .run({
            topics: [topic],
            fromBeginning: true,
            partitionConcurrency: 4,
            onBatch: async ({ partition, records: batch }, control) => {
              for (const message of batch) {
                const key = message.key!.toString();
                const seq = Number(message.value!.toString());
                if (seq !== (lastSeq.get(key) ?? -1) + 1)
                  outOfOrder.push(`${key}: ${lastSeq.get(key)} then ${seq}`);
                lastSeq.set(key, seq);
                partitionsOfKey.set(key, (partitionsOfKey.get(key) ?? new Set()).add(partition));
                received += 1;
                if (received === keys * perKey) {
                  clearTimeout(timer);
                  resolve();
                }
              }
              const last = batch[batch.length - 1];
              if (last) await control.commit(nextOffset(last.offset));
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.stop();
    }
    expect(received).toBe(10_000);
    expect(outOfOrder).toEqual([]);
    expect([...lastSeq.values()].every((seq) => seq === perKey - 1)).toBe(true);
    expect([...partitionsOfKey.values()].every((set) => set.size === 1)).toBe(true);
    expect(new Set([...partitionsOfKey.values()].map((set) => [...set][0])).size).toBeGreaterThan(
      1,
    );
  }, 120_000);

  it('rebalances a consumer group when a second consumer joins', async () => {
    const topic = uniqueName('real-rebalance');
    const groupId = uniqueName('real-rebalance');
    await createTopics([{ topic, partitions: 4 }]);
    const kafka = testKafka();
    const assignments = new Map<string, readonly number[]>();
    const consumers = ['first', 'second'].map((name) => ({
      name,
      consumer: kafka.consumer({ groupId, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 }),
    }));
    const [first, second] = consumers as [(typeof consumers)[0], (typeof consumers)[0]];
    const join = ({ name, consumer }: (typeof consumers)[0]) =>
      consumer.run({
        topics: [topic],
        fromBeginning: false,
        partitionConcurrency: 1,
        onBatch: async () => undefined,
        onAssigned: (assignment) => assignments.set(name, assignment[topic] ?? []),
      });
    const waitFor = async (condition: () => boolean, what: string) => {
      const deadline = Date.now() + 30_000;
      while (!condition()) {
        if (Date.now() > deadline)
          throw new Error(`timed out waiting for ${what}: ${JSON.stringify([...assignments])}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await join(first);
      await waitFor(
        () => assignments.get('first')?.length === 4,
        'the first consumer to own all 4 partitions',
      );

      await join(second);
      await waitFor(
        () =>
          (assignments.get('second')?.length ?? 0) > 0 &&
          (assignments.get('first')?.length ?? 0) < 4,
        'the partitions to be shared',
      );
      const owned = [
        ...(assignments.get('first') ?? []),
        ...(assignments.get('second') ?? []),
      ].sort();
      expect(owned).toEqual([0, 1, 2, 3]);
    } finally {
      await Promise.all(consumers.map(({ consumer }) => consumer.stop()));
    }
  }, 90_000);

  it('finds a produced event with waitForEvent', async () => {
    const topic = uniqueName('real-wait');
    await createTopics([{ topic, partitions: 1 }]);
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send([
      {
        topic,
        records: [
          { key: 'a', value: 'skip' },
          { key: 'b', value: 'match' },
        ],
      },
    ]);
    await producer.disconnect();
    const found = await waitForEvent(
      topic,
      ({ message }) => message.value?.toString() === 'match',
      30_000,
    );
    expect(found.message.key?.toString()).toBe('b');
    await expect(waitForEvent(topic, () => false, 1500)).rejects.toThrow(/saw 2\)/);
  }, 60_000);

  it('round-trips through Redis', async () => {
    const redis = new Redis(process.env.TROUPE_REDIS_URL!);
    const key = uniqueName('real-redis');
    try {
      await redis.set(key, 'value', 'PX', 60_000);
      expect(await redis.get(key)).toBe('value');
      expect(await redis.incr(`${key}:n`)).toBe(1);
    } finally {
      await redis.del(key, `${key}:n`);
      redis.disconnect();
    }
  });

  it('round-trips through PostgreSQL, transactions included', async () => {
    const client = new Client({ connectionString: process.env.TROUPE_DATABASE_URL });
    const table = uniqueName('real_pg').replace(/-/g, '_');
    await client.connect();
    try {
      await client.query(`CREATE TABLE ${table} (id int primary key, note text)`);
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${table} VALUES (1, 'rolled back')`);
      await client.query('ROLLBACK');
      await client.query(`INSERT INTO ${table} VALUES (2, 'kept')`);
      const { rows } = await client.query(`SELECT id, note FROM ${table}`);
      expect(rows).toEqual([{ id: 2, note: 'kept' }]);
    } finally {
      await client.query(`DROP TABLE IF EXISTS ${table}`);
      await client.end();
    }
  });
});
