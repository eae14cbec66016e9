import { uniqueName } from '@troupe/testkit';
import type { KafkaAdmin, KafkaDriver, RecordProducer } from '../src/kafka';
import { UnknownTopicError, nextOffset, type ConsumedRecord } from '../src/kafka';
import { KafkajsDriver } from '../src/kafka/kafkajs/driver';
import { loadPlatformaticDriver } from '../src/kafka/load-platformatic';
import { murmur2, partitionForKey } from '../src/kafka/memory/murmur2';
import { TimeoutError } from '../src/runtime/timers';

/**
 * The platformatic driver's admin and producer against a real Kafka, next to the kafkajs driver:
 * both share topics, so a key must land where kafkajs puts it and each must read what the other
 * wrote. The library runs on Node.js >= 22.22 only: on an older one the suite is skipped, saying
 * why (the reason is the driver's own refusal).
 */
const refusal = platformaticRefusal();
const describePlatformatic = refusal === undefined ? describe : describe.skip;
if (refusal !== undefined) process.stderr.write(`skipping the platformatic driver: ${refusal}\n`);

function platformaticRefusal(): string | undefined {
  try {
    loadPlatformaticDriver();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

jest.setTimeout(60_000);

const brokers = () => process.env.TROUPE_KAFKA_BROKERS!.split(',');

function driverOf(name: 'kafkajs' | 'platformatic'): KafkaDriver {
  const connection = { brokers: brokers(), ssl: false as const };
  const options = { clientId: `itest-${name}` };
  if (name === 'kafkajs') return new KafkajsDriver(connection, options);
  const PlatformaticDriver = loadPlatformaticDriver();
  return new PlatformaticDriver(connection, options);
}

interface Read {
  partition: number;
  record: ConsumedRecord;
}

/** Reads `count` records of `topic` from the beginning with the kafkajs driver's consumer. */
async function readWithKafkajs(topic: string, count: number): Promise<Read[]> {
  const consumer = driverOf('kafkajs').consumer({
    groupId: uniqueName('read'),
    maxWaitTimeMs: 200,
  });
  const read: Read[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${read.length} of ${count} records of ${topic}`)),
        30_000,
      );
      consumer
        .run({
          topics: [topic],
          fromBeginning: true,
          partitionConcurrency: 1,
          onBatch: async ({ partition, records }) => {
            for (const record of records) read.push({ partition, record });
            const last = records[records.length - 1];
            if (last) consumer.seek(topic, partition, nextOffset(last.offset));
            if (read.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.stop();
  }
  return read;
}

describePlatformatic('the platformatic driver', () => {
  let admin: KafkaAdmin;
  let kafkajsAdmin: KafkaAdmin;
  let producer: RecordProducer;

  beforeAll(async () => {
    admin = driverOf('platformatic').admin();
    kafkajsAdmin = driverOf('kafkajs').admin();
    producer = driverOf('platformatic').producer();
    await Promise.all([admin.connect(), kafkajsAdmin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await Promise.all([producer?.disconnect(), admin?.disconnect(), kafkajsAdmin?.disconnect()]);
  });

  describe('admin', () => {
    it('creates only the missing topics, with their configs, and waits for their leaders', async () => {
      const [a, b] = [uniqueName('pa'), uniqueName('pa')];
      expect(await admin.createTopics([{ topic: a, partitions: 2 }])).toEqual([a]);
      const created = await admin.createTopics([
        { topic: a, partitions: 2 },
        { topic: b, partitions: 3, configs: { 'retention.ms': '3600000' } },
      ]);
      expect(created).toEqual([b]);
      const described = await admin.describeTopics([a, b]);
      expect(described.map((t) => [t.topic, t.partitions.length])).toEqual([
        [a, 2],
        [b, 3],
      ]);
      expect(described.flatMap((t) => t.partitions).every((p) => p.leader >= 0)).toBe(true);
      expect(await admin.topicConfigs(b)).toContainEqual({
        name: 'retention.ms',
        value: '3600000',
        setOnTopic: true,
      });
      expect(await admin.listTopics()).toEqual(expect.arrayContaining([a, b]));
    });

    it('takes a topic created by another client at the same moment as no error', async () => {
      const topic = uniqueName('race');
      const other = driverOf('platformatic').admin();
      try {
        const results = await Promise.all([
          admin.createTopics([{ topic, partitions: 1 }]),
          other.createTopics([{ topic, partitions: 1 }]),
        ]);
        expect(results.flat()).toContain(topic);
      } finally {
        await other.disconnect();
      }
    });

    it('deletes topics and resolves once they are gone', async () => {
      const topic = uniqueName('gone');
      await admin.createTopics([{ topic, partitions: 1 }]);
      await admin.deleteTopics([topic]);
      expect(await admin.listTopics()).not.toContain(topic);
      expect(await kafkajsAdmin.listTopics()).not.toContain(topic);
    });

    it('grows a topic and describes the cluster as kafkajs does', async () => {
      const topic = uniqueName('grow');
      await admin.createTopics([{ topic, partitions: 1 }]);
      await admin.createPartitions(topic, 3);
      expect((await admin.describeTopics([topic]))[0]!.partitions.map((p) => p.partition)).toEqual([
        0, 1, 2,
      ]);
      const cluster = await admin.describeCluster();
      expect(cluster).toEqual(await kafkajsAdmin.describeCluster());
      expect(cluster.brokers.length).toBeGreaterThan(0);
    });

    it('sets configs without touching the others', async () => {
      const topic = uniqueName('configs');
      await admin.createTopics([{ topic, partitions: 1, configs: { 'retention.ms': '3600000' } }]);
      await admin.alterTopicConfigs(topic, { 'cleanup.policy': 'compact' });
      const set = (await admin.topicConfigs(topic)).filter((c) => c.setOnTopic);
      expect(set).toEqual(
        expect.arrayContaining([
          { name: 'retention.ms', value: '3600000', setOnTopic: true },
          { name: 'cleanup.policy', value: 'compact', setOnTopic: true },
        ]),
      );
      const byName = (entries: { name: string }[]) =>
        [...entries].sort((x, y) => x.name.localeCompare(y.name));
      expect(byName(await admin.topicConfigs(topic))).toEqual(
        byName(await kafkajsAdmin.topicConfigs(topic)),
      );
    });

    it('reads offsets, by timestamp too, as kafkajs reads them', async () => {
      const topic = uniqueName('offsets');
      await admin.createTopics([{ topic, partitions: 2 }]);
      const before = Date.now();
      await producer.send([
        {
          topic,
          records: [
            { partition: 0, value: 'a' },
            { partition: 0, value: 'b' },
            { partition: 1, value: 'c' },
          ],
        },
      ]);
      const offsets = await admin.topicOffsets(topic);
      expect(offsets).toEqual([
        { partition: 0, low: '0', high: '2' },
        { partition: 1, low: '0', high: '1' },
      ]);
      const byPartition = <T extends { partition: number }>(list: T[]) =>
        [...list].sort((x, y) => x.partition - y.partition);
      expect(offsets).toEqual(byPartition(await kafkajsAdmin.topicOffsets(topic)));
      expect(await admin.topicOffsetsAt(topic, before - 60_000)).toEqual([
        { partition: 0, offset: '0' },
        { partition: 1, offset: '0' },
      ]);
      // Nothing that recent: the high watermark.
      const future = Date.now() + 3_600_000;
      expect(await admin.topicOffsetsAt(topic, future)).toEqual([
        { partition: 0, offset: '2' },
        { partition: 1, offset: '1' },
      ]);
      expect(await admin.topicOffsetsAt(topic, future)).toEqual(
        byPartition(await kafkajsAdmin.topicOffsetsAt(topic, future)),
      );
    });

    it("sets, reads, describes and deletes a group's offsets", async () => {
      const topic = uniqueName('committed');
      const groupId = uniqueName('group');
      await admin.createTopics([{ topic, partitions: 2 }]);
      const never = [
        { topic, partition: 0, offset: '-1', metadata: null },
        { topic, partition: 1, offset: '-1', metadata: null },
      ];
      expect(await admin.committedOffsets(groupId, [topic])).toEqual(never);
      await admin.setCommittedOffsets(groupId, [{ topic, partition: 1, offset: '5' }]);
      const committed = await admin.committedOffsets(groupId, [topic]);
      expect(committed).toEqual([never[0], { topic, partition: 1, offset: '5', metadata: null }]);
      expect(committed).toEqual(await kafkajsAdmin.committedOffsets(groupId, [topic]));

      const [group] = await admin.describeGroups([groupId]);
      expect(group).toEqual({ groupId, state: 'Empty', members: [] });
      await admin.deleteGroups([groupId]);
      expect(await admin.committedOffsets(groupId, [topic])).toEqual(never);
      expect((await admin.describeGroups([groupId]))[0]!.state).toBe('Dead');
    });

    it('describes a KIP-848 consumer group as its coordinator does, members included', async () => {
      // The library's own consumer, speaking the consumer protocol; loaded here, on Node.js >= 22.22.
      const { Consumer } = await import('@platformatic/kafka');
      const topic = uniqueName('kip848');
      const groupId = uniqueName('kip848');
      await admin.createTopics([{ topic, partitions: 2 }]);
      const consumer = new Consumer({
        clientId: 'itest-kip848',
        bootstrapBrokers: brokers(),
        groupId,
        groupProtocol: 'consumer',
        autocommit: false,
      });
      const stream = await consumer.consume({ topics: [topic], mode: 'earliest' });
      try {
        const deadline = Date.now() + 20_000;
        let group = (await admin.describeGroups([groupId]))[0];
        while (group?.state !== 'Stable' && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 200));
          group = (await admin.describeGroups([groupId]))[0];
        }
        expect(group).toEqual({
          groupId,
          state: 'Stable',
          members: [
            { memberId: expect.any(String), clientId: 'itest-kip848', host: expect.any(String) },
          ],
        });
      } finally {
        await stream.close();
        await consumer.close();
      }
      expect((await admin.describeGroups([groupId]))[0]).toEqual({
        groupId,
        state: 'Empty',
        members: [],
      });
    });

    it('fails to connect to an unreachable cluster within its timeout and retries', async () => {
      const PlatformaticDriver = loadPlatformaticDriver();
      const unreachable = new PlatformaticDriver(
        { brokers: ['127.0.0.1:1'], ssl: false },
        { clientId: 'itest-unreachable', connectionTimeoutMs: 1_000, retries: 1 },
      ).admin();
      const started = Date.now();
      await expect(unreachable.connect()).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(10_000);
      await unreachable.disconnect();
    });
  });

  describe('producer', () => {
    it('puts a key on the partition kafkajs (and the Java client) puts it on', async () => {
      const topic = uniqueName('keys');
      const partitions = 8;
      await admin.createTopics([{ topic, partitions }]);
      const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
      const kafkajsProducer = driverOf('kafkajs').producer();
      try {
        await producer.send([
          { topic, records: keys.map((key) => ({ key, value: 'platformatic' })) },
        ]);
        await kafkajsProducer.send([
          { topic, records: keys.map((key) => ({ key, value: 'kafkajs' })) },
        ]);
      } finally {
        await kafkajsProducer.disconnect();
      }
      const read = await readWithKafkajs(topic, keys.length * 2);
      const placed = new Map<string, Set<number>>();
      for (const { partition, record } of read) {
        const key = record.key!.toString();
        if (!placed.has(key)) placed.set(key, new Set());
        placed.get(key)!.add(partition);
      }
      for (const key of keys)
        expect([key, [...placed.get(key)!]]).toEqual([
          key,
          [partitionForKey(Buffer.from(key), partitions)],
        ]);
      // Keys whose hash is negative are those the library's own partitioner places elsewhere.
      expect(keys.filter((key) => murmur2(Buffer.from(key)) < 0).length).toBeGreaterThan(5);
    });

    it('sends headers (a repeated one included), null keys and values, gzip-compressed or not', async () => {
      const topic = uniqueName('headers');
      await admin.createTopics([{ topic, partitions: 1 }]);
      const gzip = driverOf('platformatic').producer({ compression: 'gzip' });
      const big = 'x'.repeat(10_000);
      try {
        await producer.send([
          {
            topic,
            records: [
              {
                key: 'k',
                value: 'plain',
                headers: { one: 'a', many: ['1', Buffer.from('2'), '3'], none: undefined },
              },
              { key: null, value: null },
            ],
          },
        ]);
        await gzip.send([
          { topic, records: [{ key: Buffer.from([0, 1]), value: big, headers: { z: 'gz' } }] },
        ]);
      } finally {
        await gzip.disconnect();
      }
      const read = (await readWithKafkajs(topic, 3)).map((r) => r.record);
      const text = (v: unknown) => (Array.isArray(v) ? v.map(String) : String(v));
      expect(read[0]!.key!.toString()).toBe('k');
      expect(read[0]!.value!.toString()).toBe('plain');
      expect(
        Object.fromEntries(Object.entries(read[0]!.headers).map(([k, v]) => [k, text(v)])),
      ).toEqual({
        one: 'a',
        many: ['1', '2', '3'],
      });
      expect(read[1]!.key).toBeNull();
      expect(read[1]!.value).toBeNull();
      expect(read[2]!.key).toEqual(Buffer.from([0, 1]));
      expect(read[2]!.value!.toString()).toBe(big);
      expect(text(read[2]!.headers.z)).toBe('gz');
    });

    it('refuses records for a missing topic with UnknownTopicError naming it, sending none', async () => {
      const topic = uniqueName('present');
      const missing = uniqueName('missing');
      await admin.createTopics([{ topic, partitions: 1 }]);
      const started = Date.now();
      const error = await producer
        .send(
          [
            { topic, records: [{ value: 'a' }] },
            { topic: missing, records: [{ value: 'b' }] },
          ],
          { timeoutMs: 20_000 },
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UnknownTopicError);
      expect((error as UnknownTopicError).topics).toEqual([missing]);
      expect((error as Error).message).toContain(missing);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await admin.listTopics()).not.toContain(missing);
      expect(await admin.topicOffsets(topic)).toEqual([{ partition: 0, low: '0', high: '0' }]);
    });

    it('gives up a send after timeoutMs', async () => {
      const PlatformaticDriver = loadPlatformaticDriver();
      const unreachable = new PlatformaticDriver(
        { brokers: ['127.0.0.1:1'], ssl: false },
        { clientId: 'itest-unreachable' },
      ).producer();
      const started = Date.now();
      await expect(
        unreachable.send([{ topic: 'any', records: [{ value: 'x' }] }], { timeoutMs: 1_000 }),
      ).rejects.toThrow(TimeoutError);
      expect(Date.now() - started).toBeLessThan(2_000);
      await unreachable.disconnect();
    });

    it('connects once however often asked, and waits for sends in flight before disconnecting', async () => {
      const topic = uniqueName('inflight');
      await admin.createTopics([{ topic, partitions: 1 }]);
      const own = driverOf('platformatic').producer();
      await Promise.all([own.connect(), own.connect()]);
      await own.connect();
      const sent = own.send([{ topic, records: [{ value: '1' }, { value: '2' }] }]);
      await own.disconnect();
      await sent;
      expect(await admin.topicOffsets(topic)).toEqual([{ partition: 0, low: '0', high: '2' }]);
      // A send after disconnect() connects again.
      await own.send([{ topic, records: [{ value: '3' }] }]);
      await own.disconnect();
      expect((await admin.topicOffsets(topic))[0]!.high).toBe('3');
    });
  });
});
