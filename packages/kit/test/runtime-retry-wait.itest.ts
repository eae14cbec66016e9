import { RetryHeaders, TroupeService, defineService } from '@troupe/kit';
import {
  TestEvents,
  createTopics,
  groupMemberIds,
  header,
  metricValues,
  readTopic,
  testKafka,
  publishCounted,
  testService,
  uniqueName,
  waitFor,
} from './support/runtime-support';

jest.setTimeout(90_000);

const running: TroupeService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

/** Longer than the session timeout below, so a consumer that waited without heartbeats would be evicted. */
const RETRY_DELAY_MS = 10_000;
const SESSION_TIMEOUT_MS = 6_000;

/*
 * A retry record not yet due must wait with its partition paused, not inside its batch: a client
 * may fetch again from a broker only once every batch of its last fetch is done (kafkajs does), so
 * a batch sleeping until its record is due would hold back every other partition of that broker
 * (the test stack has one), and a stop() would wait for the sleep.
 */
test('a retry record not yet due pauses only its partition: one due sooner on another partition of the same retry topic is handled on time, and the group stays put for a wait longer than the session timeout', async () => {
  const topic = uniqueName('rt-retry-wait');
  await createTopics([{ topic, partitions: 2 }]);
  const retryTopic = `${topic}.retry.1`;
  const name = uniqueName('retry-wait-svc');
  const calls: { id: string; topic: string; at: number }[] = [];
  const service = testService(
    defineService<TestEvents>()({
      name,
      topics: [topic],
      consumes: {
        'test.runtime.Counted': (_payload, ctx) => {
          calls.push({ id: ctx.metadata.id, topic: ctx.metadata.topic, at: Date.now() });
          // Fails on the main topic, succeeds on the retry topic.
          if (ctx.metadata.topic === topic) throw new Error('deploy API unavailable');
        },
      },
    }),
    {
      retry: { attempts: 1, backoffBaseMs: 10, backoffMaxMs: 20, topicDelaysMs: [RETRY_DELAY_MS] },
      consumer: {
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: 500,
        maxWaitTimeMs: 200,
        rebalanceTimeoutMs: 15_000,
      },
    },
  );
  running.push(service);
  await service.start();
  const slow = await publishCounted(topic, 'slow');

  const [hop] = await readTopic(retryTopic, (records) => records.length >= 1, 15_000);
  const slowDueAt = Date.parse(header(hop!, RetryHeaders.dueAt)!);
  const membersBefore = await groupMemberIds(`${name}.retry`);
  expect(membersBefore).toHaveLength(1);
  // Several fetch cycles (200 ms each): the retry consumer has fetched the record and is waiting.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  expect(slowDueAt - Date.now()).toBeGreaterThan(5_000);

  // A record on the other partition of the same retry topic, due now: a copy of the waiting
  // one with its own id.
  const producer = testKafka('troupe-test-raw').producer();
  await producer.connect();
  const sentAt = Date.now();
  await producer.send([
    {
      topic: retryTopic,
      records: [
        {
          partition: 1 - hop!.partition,
          key: 'fast',
          value: hop!.value,
          headers: {
            ...hop!.headers,
            ce_id: 'fast-1',
            [RetryHeaders.dueAt]: new Date(sentAt).toISOString(),
          },
        },
      ],
    },
  ]);
  await producer.disconnect();

  const retryCalls = () => calls.filter((c) => c.topic === retryTopic);
  await waitFor(
    () => retryCalls().some((c) => c.id === 'fast-1'),
    slowDueAt - Date.now() + 5_000,
    'the record due now',
  );
  const fast = retryCalls().find((c) => c.id === 'fast-1')!;
  expect(fast.at - sentAt).toBeLessThan(3_000);
  expect(retryCalls().some((c) => c.id === slow.id)).toBe(false); // it is not due yet...
  const paused = await metricValues(service, 'troupe_paused_partitions');
  expect(paused.find((v) => v.labels.reason === 'retry-due')?.value).toBe(1); // ...its partition waits

  await waitFor(
    () => retryCalls().some((c) => c.id === slow.id),
    slowDueAt - Date.now() + 10_000,
    'the record due later',
  );
  const late = retryCalls().find((c) => c.id === slow.id)!;
  expect(late.at).toBeGreaterThanOrEqual(slowDueAt - 50);
  expect(late.at - slowDueAt).toBeLessThan(3_000);
  // Waiting 10 s on a 6 s session cost no membership: same member, each record handled once.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await groupMemberIds(`${name}.retry`)).toEqual(membersBefore);
  expect(retryCalls().map((c) => c.id)).toEqual(['fast-1', slow.id]);
});
