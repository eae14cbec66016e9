import {
  DeadLetterHeaders,
  PermanentError,
  RetryHeaders,
  TroupeService,
  defineService,
} from '@troupe/kit';
import {
  TestEvents,
  createTopics,
  header,
  readTopic,
  testKafka,
  testPublisher,
  testService,
  uniqueName,
  waitFor,
} from './support/runtime-support';

jest.setTimeout(60_000);

class DeployApiError extends Error {
  override name = 'DeployApiError';
}

const running: TroupeService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

async function start(service: TroupeService): Promise<TroupeService> {
  running.push(service);
  await service.start();
  return service;
}

async function metric(
  service: TroupeService,
  name: string,
  labels: Record<string, string>,
): Promise<number> {
  const found = (await service.metrics.registry.getSingleMetric(name)?.get())?.values.find((v) =>
    Object.entries(labels).every(([k, val]) => v.labels[k] === val),
  );
  return found?.value ?? 0;
}

test('fails twice (once with a non-Error), then succeeds: handled once after in-process backoff', async () => {
  const topic = uniqueName('rt-flaky');
  await createTopics([{ topic, partitions: 1 }]);
  const calls: number[] = [];
  let succeeded = 0;
  const service = await start(
    testService(
      defineService<TestEvents>()({
        name: uniqueName('flaky-svc'),
        topics: [topic],
        consumes: {
          'test.runtime.Counted': async () => {
            calls.push(Date.now());
            if (calls.length === 1) throw new DeployApiError('503 from deploy API');
            if (calls.length === 2) throw 'a plain string';
            succeeded++;
          },
        },
      }),
      { retry: { attempts: 3, backoffBaseMs: 100, backoffMaxMs: 400, topicDelaysMs: [500] } },
    ),
  );
  const publisher = await testPublisher();
  await publisher.publish({
    type: 'test.runtime.Counted',
    topic,
    key: 'k',
    payload: { key: 'k', seq: 1, note: null },
  });
  await publisher.disconnect();

  await waitFor(() => succeeded === 1, 20_000, 'the third call to succeed');
  expect(calls).toHaveLength(3);
  // Full jitter: each wait is within [0, ceiling), ceilings 100 ms then 200 ms. The exact bounds
  // are backoff.test.ts's; here only the order of magnitude, with slack for a loaded machine.
  expect(calls[1]! - calls[0]!).toBeLessThan(100 + 1_000);
  expect(calls[2]! - calls[1]!).toBeLessThan(200 + 1_000);
  expect(await metric(service, 'troupe_retries_total', { stage: 'in-process' })).toBe(2);
  expect(await metric(service, 'troupe_events_handled_total', { outcome: 'handled' })).toBe(1);
  expect(await metric(service, 'troupe_retries_total', { stage: 'retry-topic' })).toBe(0);
});

test('always failing: retry topics with growing delays, then the DLQ with its headers, while the main topic keeps flowing', async () => {
  const topic = uniqueName('rt-poison');
  await createTopics([{ topic, partitions: 1 }]);
  const name = uniqueName('poison-svc');
  const poisonCalls: { at: number; topic: string }[] = [];
  const goodHandledAt: number[] = [];
  await start(
    testService(
      defineService<TestEvents>()({
        name,
        topics: [topic],
        consumes: {
          'test.runtime.Counted': async (payload, ctx) => {
            if (payload.note === 'poison') {
              poisonCalls.push({ at: Date.now(), topic: ctx.metadata.topic });
              throw new DeployApiError(`deploy API rejected release ${payload.seq}`);
            }
            goodHandledAt.push(Date.now());
          },
        },
      }),
      { retry: { attempts: 2, backoffBaseMs: 10, backoffMaxMs: 20, topicDelaysMs: [800, 1_600] } },
    ),
  );
  const publisher = await testPublisher();
  const poison = await publisher.publish({
    type: 'test.runtime.Counted',
    topic,
    key: 'same-key',
    payload: { key: 'same-key', seq: 0, note: 'poison' },
  });
  const good = Array.from({ length: 50 }, (_, i) => ({
    type: 'test.runtime.Counted',
    topic,
    key: 'same-key',
    payload: { key: 'same-key', seq: i + 1, note: null },
  }));
  await publisher.publishMany(good);
  await publisher.disconnect();

  const [dead] = await readTopic(`${topic}.dlq`, (records) => records.length >= 1, 30_000);
  const deadAt = Date.now();
  expect(dead).toBeDefined();

  // 2 calls per delivery: main topic, retry.1, retry.2.
  expect(poisonCalls.map((c) => c.topic)).toEqual([
    topic,
    topic,
    `${topic}.retry.1`,
    `${topic}.retry.1`,
    `${topic}.retry.2`,
    `${topic}.retry.2`,
  ]);
  const gap1 = poisonCalls[2]!.at - poisonCalls[1]!.at;
  const gap2 = poisonCalls[4]!.at - poisonCalls[3]!.at;
  expect(gap1).toBeGreaterThanOrEqual(800 - 50);
  expect(gap2).toBeGreaterThanOrEqual(1_600 - 50);
  expect(gap2).toBeGreaterThan(gap1);

  // The 50 events behind the poison on the same partition and key were not held up by its retries.
  expect(goodHandledAt).toHaveLength(50);
  expect(Math.max(...goodHandledAt)).toBeLessThan(poisonCalls[2]!.at);

  expect(dead!.value).not.toBeNull();
  expect(header(dead!, 'ce_id')).toBe(poison.id);
  expect(dead!.key).toBe('same-key');
  expect(header(dead!, DeadLetterHeaders.originalTopic)).toBe(topic);
  expect(header(dead!, DeadLetterHeaders.originalPartition)).toBe('0');
  expect(header(dead!, DeadLetterHeaders.originalOffset)).toBe('0');
  expect(header(dead!, DeadLetterHeaders.originalKey)).toBe('same-key');
  expect(header(dead!, DeadLetterHeaders.errorClass)).toBe('DeployApiError');
  expect(header(dead!, DeadLetterHeaders.errorCode)).toBe('DeployApiError');
  expect(header(dead!, DeadLetterHeaders.errorMessage)).toBe('deploy API rejected release 0');
  expect(header(dead!, DeadLetterHeaders.attempts)).toBe('6');
  expect(header(dead!, DeadLetterHeaders.service)).toBe(name);
  const first = Date.parse(header(dead!, DeadLetterHeaders.firstFailureAt)!);
  const last = Date.parse(header(dead!, DeadLetterHeaders.lastFailureAt)!);
  expect(Math.abs(first - poisonCalls[1]!.at)).toBeLessThan(1_000); // slack for a loaded machine
  expect(last - first).toBeGreaterThanOrEqual(800 + 1_600 - 100);
  expect(last).toBeLessThanOrEqual(deadAt);
  expect(header(dead!, RetryHeaders.level)).toBeUndefined(); // retry bookkeeping does not leak into the DLQ

  // The retry topics hold one record each, due at their delay after the failure.
  for (const [level, delay] of [
    [1, 800],
    [2, 1_600],
  ] as const) {
    const [hop] = await readTopic(
      `${topic}.retry.${level}`,
      (records) => records.length >= 1,
      10_000,
    );
    const due = Date.parse(header(hop!, RetryHeaders.dueAt)!);
    expect(due - hop!.timestamp).toBeGreaterThanOrEqual(delay - 50);
    // Due is set at the failure, the timestamp when the record was produced: slack for a loaded machine.
    expect(due - hop!.timestamp).toBeLessThan(delay + 2_000);
    expect(header(hop!, RetryHeaders.service)).toBe(name);
    expect(header(hop!, RetryHeaders.attempts)).toBe(String(level * 2));
  }
});

test('a permanent error skips the retry topics', async () => {
  const topic = uniqueName('rt-permanent');
  await createTopics([{ topic, partitions: 1 }]);
  let calls = 0;
  const service = await start(
    testService(
      defineService<TestEvents>()({
        name: uniqueName('permanent-svc'),
        topics: [topic],
        consumes: {
          'test.runtime.Counted': () => {
            calls++;
            throw new PermanentError('release id is not a semver');
          },
        },
      }),
    ),
  );
  const publisher = await testPublisher();
  await publisher.publish({
    type: 'test.runtime.Counted',
    topic,
    key: 'k',
    payload: { key: 'k', seq: 1, note: null },
  });
  await publisher.disconnect();
  const [dead] = await readTopic(`${topic}.dlq`, (records) => records.length >= 1);
  expect(calls).toBe(1);
  expect(header(dead!, DeadLetterHeaders.errorCode)).toBe('PERMANENT');
  expect(header(dead!, DeadLetterHeaders.attempts)).toBe('1');
  expect(await metric(service, 'troupe_dead_lettered_total', { code: 'PERMANENT' })).toBe(1);
  expect(await metric(service, 'troupe_retries_total', { stage: 'retry-topic' })).toBe(0);
});

test('a malformed payload goes to the DLQ with the reason, and later events are handled', async () => {
  const topic = uniqueName('rt-malformed');
  await createTopics([{ topic, partitions: 1 }]);
  const handled: number[] = [];
  await start(
    testService(
      defineService<TestEvents>()({
        name: uniqueName('malformed-svc'),
        topics: [topic],
        consumes: { 'test.runtime.Counted': (payload) => void handled.push(payload.seq) },
      }),
    ),
  );
  const producer = testKafka('troupe-test-raw').producer();
  await producer.connect();
  await producer.send([
    {
      topic,
      records: [
        {
          key: 'bad-1',
          value: Buffer.from('{"this is":"json, not avro"}'),
          headers: { ce_type: 'test.runtime.Counted', ce_id: 'bad-1' },
        },
        {
          key: 'bad-2',
          value: Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2]),
          headers: { ce_type: 'test.runtime.Counted', ce_id: 'bad-2' },
        },
      ],
    },
  ]);
  await producer.disconnect();
  const publisher = await testPublisher();
  await publisher.publishMany(
    [1, 2, 3].map((seq) => ({
      type: 'test.runtime.Counted',
      topic,
      key: 'k',
      payload: { key: 'k', seq, note: null },
    })),
  );
  await publisher.disconnect();

  await waitFor(() => handled.length === 3, 20_000, 'the three good events');
  expect(handled).toEqual([1, 2, 3]);
  const dead = await readTopic(`${topic}.dlq`, (records) => records.length >= 2);
  expect(dead.map((r) => header(r, 'ce_id'))).toEqual(['bad-1', 'bad-2']);
  expect(header(dead[0]!, DeadLetterHeaders.errorCode)).toBe('DECODE_WRONG_MAGIC_BYTE');
  expect(header(dead[1]!, DeadLetterHeaders.errorCode)).toMatch(/^DECODE_/);
  expect(header(dead[0]!, DeadLetterHeaders.errorClass)).toBe('DecodeError');
  expect(header(dead[0]!, DeadLetterHeaders.errorMessage)).toBeTruthy();
  expect(header(dead[0]!, DeadLetterHeaders.attempts)).toBe('0');
  expect(dead[0]!.value?.toString()).toBe('{"this is":"json, not avro"}');
});
