/**
 * The consume core (batch processor, record reader, partition pauser) through createService on
 * the in-memory driver: what is committed, in which order events run, which partition a halt
 * pauses, and what a revocation mid-batch leaves behind. No broker: the rules, not Kafka.
 */
import pino from 'pino';
import { JsonTestCodec, MemoryCluster, MemoryKafkaDriver } from '../kafka/memory';
import { Publisher } from '../publish/publisher';
import { loadConfig } from '../config/service-config';
import { defineService, type StartPosition } from './define-service';
import { createService, type ServiceOptions, type TroupeService } from './service';

interface Events {
  'test.Counted': { key: string; seq: number };
}

const codec = new JsonTestCodec();
const logger = pino({ level: 'silent' });
const running: TroupeService[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop({ deadlineMs: 1_000 })));
});

function setup(partitions = 1) {
  const driver = new MemoryKafkaDriver(new MemoryCluster());
  const topic = 'orders';
  driver.cluster.createTopic(topic, partitions);
  const publisher = new Publisher({ kafka: driver, codec, source: 'feeder' });
  const publish = (key: string, seq: number, partition?: number) =>
    partition === undefined
      ? publisher.publish({ type: 'test.Counted', topic, key, payload: { key, seq } })
      : publisher.sendRaw(topic, [
          {
            key,
            partition,
            value: JSON.stringify({ key, seq }),
            headers: { ce_type: 'test.Counted', ce_id: `${key}-${seq}` },
          },
        ]);
  return { driver, topic, publish };
}

async function start(
  driver: MemoryKafkaDriver,
  handle: (payload: Events['test.Counted']) => Promise<void>,
  options: Partial<ServiceOptions> & { name?: string; startFrom?: StartPosition } = {},
): Promise<TroupeService> {
  const { name = 'svc', startFrom = 'earliest', ...serviceOptions } = options;
  const service = createService(
    defineService<Events>()({
      name,
      topics: ['orders'],
      // Most tests here publish first; the start-position tests below say what they need.
      startFrom,
      consumes: { 'test.Counted': { handle: (payload) => handle(payload) } },
    }),
    {
      codec,
      kafka: driver,
      logger,
      config: loadConfig({ TROUPE_KAFKA_BROKERS: 'memory:9092' }),
      retry: { attempts: 1, backoffBaseMs: 1, backoffMaxMs: 1, topicDelaysMs: [50] },
      consumer: { maxWaitTimeMs: 20 },
      redeliveryDelayMs: 30,
      defaultMetrics: false,
      ...serviceOptions,
    },
  );
  running.push(service);
  await service.start();
  return service;
}

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

async function until(check: () => boolean, what: string, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('an offset is committed only after its event was handled, and the group resumes from it', async () => {
  const { driver, topic, publish } = setup();
  for (let seq = 0; seq < 5; seq++) await publish('k', seq);
  const gate = deferred();
  const handled: number[] = [];
  await start(driver, async ({ seq }) => {
    if (seq === 2) await gate.promise;
    handled.push(seq);
  });
  await until(() => handled.length === 2, 'the first two events');
  await new Promise((resolve) => setTimeout(resolve, 50));
  // Event 2 is running: nothing after offset 1 may be committed.
  const during = driver.cluster.committedOffset('svc', topic, 0);
  expect(during === undefined || Number(during) <= 2).toBe(true);
  gate.release();
  await until(() => driver.cluster.committedOffset('svc', topic, 0) === '5', 'offset 5 committed');
  expect(handled).toEqual([0, 1, 2, 3, 4]);
});

test('a failing event is not committed: the partition stops there and nothing after it is skipped', async () => {
  const { driver, topic, publish } = setup();
  for (let seq = 0; seq < 4; seq++) await publish('k', seq);
  let failing = true;
  const handled: number[] = [];
  await start(
    driver,
    async ({ seq }) => {
      if (seq === 1 && failing) throw Object.assign(new Error('not yet'), { redeliverLater: true });
      handled.push(seq);
    },
    {},
  );
  await until(() => handled.length === 1, 'event 0');
  await new Promise((resolve) => setTimeout(resolve, 60));
  expect(driver.cluster.committedOffset('svc', topic, 0)).toBe('1');
  expect(handled).toEqual([0]);
  failing = false;
  await until(() => driver.cluster.committedOffset('svc', topic, 0) === '4', 'all committed');
  expect(handled).toEqual([0, 1, 2, 3]);
});

test('events of one key run in order and once, while partitions run concurrently', async () => {
  const { driver, publish } = setup(4);
  const keys = Array.from({ length: 12 }, (_, i) => `key-${i}`);
  for (let seq = 0; seq < 25; seq++) for (const key of keys) await publish(key, seq);
  const seen = new Map<string, number[]>();
  let concurrent = 0;
  let maxConcurrent = 0;
  await start(
    driver,
    async ({ key, seq }) => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      // Yield to the event loop so that batches of other partitions interleave with this one.
      await new Promise((resolve) => setImmediate(resolve));
      concurrent--;
      seen.set(key, [...(seen.get(key) ?? []), seq]);
    },
    { partitionConcurrency: 4 },
  );
  await until(() => [...seen.values()].reduce((n, s) => n + s.length, 0) === 300, 'all events');
  for (const key of keys) expect(seen.get(key)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  expect(maxConcurrent).toBeGreaterThan(1);
});

test('an open breaker pauses and rewinds exactly the partition that hit it; the others flow', async () => {
  const { driver, topic, publish } = setup(2);
  for (let seq = 0; seq < 3; seq++) {
    await publish('a', seq, 0);
    await publish('b', seq, 1);
  }
  let dependencyUp = false;
  const handled: string[] = [];
  const service = createService(
    defineService<Events>()({
      name: 'svc',
      topics: [topic],
      startFrom: 'earliest',
      consumes: {
        'test.Counted': {
          dependsOn: ['api'],
          handle: async ({ key, seq }, ctx) => {
            if (key === 'a')
              await ctx.breaker('api').run(async () => {
                if (!dependencyUp) throw new Error('api down');
              });
            handled.push(`${key}${seq}`);
          },
        },
      },
    }),
    {
      codec,
      kafka: driver,
      logger,
      config: loadConfig({ TROUPE_KAFKA_BROKERS: 'memory:9092' }),
      retry: { attempts: 1, backoffBaseMs: 1, backoffMaxMs: 1, topicDelaysMs: [5_000] },
      consumer: { maxWaitTimeMs: 20 },
      breakers: {
        perName: {
          api: {
            volumeThreshold: 1,
            errorThresholdPercentage: 1,
            resetTimeoutMs: 150,
            rollingWindowMs: 1_000,
          },
        },
      },
      defaultMetrics: false,
    },
  );
  running.push(service);
  await service.start();
  await until(() => handled.filter((h) => h.startsWith('b')).length === 3, 'partition 1 done');
  await until(() => service.ready().detail.pausedPartitions === 1, 'partition 0 paused');
  expect(driver.cluster.committedOffset('svc', topic, 1)).toBe('3');
  // Nothing of partition 0 went past the event that hit the open breaker.
  const committed0 = Number(driver.cluster.committedOffset('svc', topic, 0) ?? '0');
  expect(committed0).toBeLessThanOrEqual(1);
  dependencyUp = true;
  await until(() => driver.cluster.committedOffset('svc', topic, 0) === '3', 'partition 0 resumed');
  // Rewound to the event that hit the breaker: each of partition 0's events ran once, in order.
  expect(handled.filter((h) => h.startsWith('a'))).toEqual(['a0', 'a1', 'a2']);
});

test('a retry record not yet due pauses the retry partition until it is, then runs it once', async () => {
  const { driver, topic, publish } = setup();
  let calls = 0;
  const handledAt: number[] = [];
  const started = Date.now();
  await start(
    driver,
    async () => {
      calls++;
      if (calls === 1) throw new Error('first attempt fails');
      handledAt.push(Date.now() - started);
    },
    { retry: { attempts: 1, backoffBaseMs: 1, backoffMaxMs: 1, topicDelaysMs: [300] } },
  );
  await publish('k', 0);
  await until(() => handledAt.length === 1, 'the retried event', 5_000);
  expect(calls).toBe(2);
  expect(handledAt[0]).toBeGreaterThanOrEqual(300);
  // The retry tier committed past the record once it ran; the main topic past the original.
  await until(
    () => driver.cluster.committedOffset('svc.retry', `${topic}.retry.1`, 0) === '1',
    'retry committed',
  );
  expect(driver.cluster.committedOffset('svc', topic, 0)).toBe('1');
});

test('a revocation mid-batch commits what the member finished, and the next owner starts after it', async () => {
  // Two partitions, events on the second: the first member owns both until a second member
  // joins and the group hands partition 1 to it.
  const { driver, topic, publish } = setup(2);
  for (let seq = 0; seq < 10; seq++) await publish('k', seq, 1);
  const gate = deferred();
  const byFirst: number[] = [];
  const bySecond: number[] = [];
  await start(
    driver,
    async ({ seq }) => {
      if (seq === 3) await gate.promise;
      byFirst.push(seq);
    },
    { name: 'svc' },
  );
  await until(() => byFirst.length === 3, 'first member at event 3');
  // A second member joins: the group revokes the partition while event 3 runs.
  const joining = start(driver, async ({ seq }) => void bySecond.push(seq), { name: 'svc' });
  await new Promise((resolve) => setTimeout(resolve, 30));
  gate.release();
  await joining;
  await until(() => byFirst.length + bySecond.length === 10, 'all events handled');
  await until(() => driver.cluster.committedOffset('svc', topic, 1) === '10', 'all committed');
  // The first member stopped after the event it was running and committed it; nothing ran twice.
  expect(byFirst).toEqual([0, 1, 2, 3]);
  expect([...byFirst, ...bySecond].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

describe("startFrom: 'latest' (the default)", () => {
  test('a new group skips what its topics held before its first start and handles everything after', async () => {
    const { driver, topic, publish } = setup(2);
    for (let seq = 0; seq < 4; seq++) await publish(`old-${seq}`, seq);
    const handled: number[] = [];
    await start(driver, async ({ seq }) => void handled.push(seq), { startFrom: 'latest' });
    // Published right after start() returned, before any fetch: none of it may be skipped.
    for (let seq = 10; seq < 16; seq++) await publish(`new-${seq}`, seq);
    await until(() => handled.length === 6, 'the six new events');
    expect(handled.sort((a, b) => a - b)).toEqual([10, 11, 12, 13, 14, 15]);
    expect(driver.cluster.records(topic)).toHaveLength(10);
  });

  test('a group that committed resumes where it stopped, including what arrived while it was down', async () => {
    const { driver, publish } = setup(1);
    const handled: number[] = [];
    const first = await start(driver, async ({ seq }) => void handled.push(seq), {
      startFrom: 'latest',
    });
    await publish('k', 1);
    await until(() => handled.length === 1, 'the first event');
    await first.stop();
    await publish('k', 2);
    await publish('k', 3);
    await start(driver, async ({ seq }) => void handled.push(seq), { startFrom: 'latest' });
    await until(() => handled.length === 3, 'the events published while it was down');
    expect(handled).toEqual([1, 2, 3]);
  });

  test('a partition the group never committed on a topic it already reads is read from its beginning', async () => {
    // Partition 2 is added while the service is down: what lands on it must not be skipped by
    // a "latest" restart, and neither may anything on a partition a group never committed.
    const { driver, topic, publish } = setup(2);
    const handled: string[] = [];
    const first = await start(driver, async ({ key }) => void handled.push(key), {
      startFrom: 'latest',
    });
    await publish('p0-a', 0, 0);
    await until(() => handled.length === 1, 'the event on partition 0');
    await first.stop();
    const admin = driver.admin();
    await admin.createPartitions(topic, 3);
    await publish('p2-a', 0, 2);
    await start(driver, async ({ key }) => void handled.push(key), { startFrom: 'latest' });
    await until(() => handled.length === 2, 'the event on the new partition');
    expect(handled).toEqual(['p0-a', 'p2-a']);
  });

  test("'earliest' handles what the topics held before the first start", async () => {
    const { driver, publish } = setup(2);
    for (let seq = 0; seq < 4; seq++) await publish(`old-${seq}`, seq);
    const handled: number[] = [];
    await start(driver, async ({ seq }) => void handled.push(seq), { startFrom: 'earliest' });
    await until(() => handled.length === 4, 'the four earlier events');
    expect(handled.sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
  });
});
