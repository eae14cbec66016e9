/**
 * Redis stops for 10 s while events keep arriving. Our own redis-server (never the shared one).
 * Expected: dedup calls fail fast with DedupUnavailableError (the runtime's breaker would open and
 * pause), nothing is skipped, processing resumes when Redis is back, each effect applied once.
 */
import type { Kafka } from 'kafkajs';
import {
  DedupBusyError,
  DedupUnavailableError,
  RedisDedupStore,
  createFailFastRedis,
  dedupMiddleware,
} from '../src/dedup';
import {
  OwnRedisServer,
  createTopic,
  deleteTopics,
  freePort,
  kafkaClient,
  sleep,
  uniqueName,
  waitFor,
} from './fixtures/dedup-support';
import { inboundEvent, standaloneDedup } from './support/standalone-dedup';

jest.setTimeout(90_000);

const EVENTS = 1_500;

test('Redis down for 10 s mid-stream: no event skipped, processing resumes, each effect once', async () => {
  const server = new OwnRedisServer(await freePort());
  await server.start();
  const kafka: Kafka = kafkaClient();
  const topic = uniqueName('dedup_outage');
  await createTopic(kafka, topic, 2);
  const redis = createFailFastRedis(server.url, { commandTimeout: 500 });
  const store = new RedisDedupStore({ redis, service: uniqueName('svc'), leaseMs: 5_000 });
  const dedup = dedupMiddleware(store);

  const effects = new Map<string, number>();
  const appliedAt: number[] = [];
  const unavailable: { at: number; tookMs: number }[] = [];
  const { handle } = standaloneDedup(dedup, async (_: null, ctx) => {
    effects.set(ctx.metadata.id, (effects.get(ctx.metadata.id) ?? 0) + 1);
    appliedAt.push(Date.now());
  });
  /** Retries what failed because Redis is away, the way the runtime's breaker + retry would. */
  const untilAvailable = async (call: () => Promise<void>) => {
    for (;;) {
      const started = Date.now();
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof DedupUnavailableError || error instanceof DedupBusyError))
          throw error;
        if (error instanceof DedupUnavailableError)
          unavailable.push({ at: started, tookMs: Date.now() - started });
        await sleep(200);
      }
    }
  };

  const consumer = kafka.consumer({ groupId: uniqueName('group'), sessionTimeout: 30_000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
      const events = batch.messages.map((m) => ({
        metadata: { id: String(m.headers?.ce_id) },
        payload: null,
      }));
      await untilAvailable(() =>
        dedup.prepareBatch(events.map((e) => inboundEvent(null, e.metadata))),
      );
      for (const [i, event] of events.entries()) {
        await untilAvailable(() => handle(null, { metadata: event.metadata }));
        resolveOffset((batch.messages[i] as { offset: string }).offset);
        await heartbeat();
      }
      await dedup.finishBatch().catch(() => undefined);
    },
  });

  // Produce steadily for ~15 s; Redis is away from ~3 s to ~13 s.
  const producer = kafka.producer();
  await producer.connect();
  const producing = (async () => {
    for (let i = 0; i < EVENTS; i += 25) {
      await producer.send({
        topic,
        messages: Array.from({ length: 25 }, (_, j) => ({
          key: `k${(i + j) % 7}`,
          value: 'x',
          headers: { ce_id: `${topic}-${i + j}` },
        })),
      });
      await sleep(250);
    }
  })();
  await waitFor(() => effects.size >= 200, 30_000, 'first events');
  await server.stop();
  const stoppedAt = Date.now();
  await sleep(10_000);
  const handledWhileDown = appliedAt.filter((t) => t > stoppedAt + 1_000).length;
  await server.start(); // empty: the done marks are gone, only committed offsets remain
  const restartedAt = Date.now();
  await producing;
  await waitFor(() => effects.size >= EVENTS, 40_000, 'all events after Redis returned');

  await consumer.disconnect();
  await producer.disconnect();
  redis.disconnect();
  await server.stop();
  await deleteTopics(kafka, [topic]);

  const during = unavailable.filter((u) => u.at >= stoppedAt && u.at < restartedAt);
  console.log(
    `redis outage: ${during.length} DedupUnavailableError while down, slowest ${Math.max(...during.map((u) => u.tookMs))} ms; ` +
      `handled while down: ${handledWhileDown}; handled after return: ${appliedAt.filter((t) => t > restartedAt).length}`,
  );
  expect(during.length).toBeGreaterThan(0);
  expect(Math.max(...during.map((u) => u.tookMs))).toBeLessThan(2_000); // fail fast, never hang
  expect(handledWhileDown).toBe(0); // nothing runs (or is skipped) unguarded while dedup is away
  expect(appliedAt.filter((t) => t > restartedAt).length).toBeGreaterThan(0); // resumed
  for (let i = 0; i < EVENTS; i++) expect(effects.get(`${topic}-${i}`)).toBe(1); // none skipped, none twice
});
