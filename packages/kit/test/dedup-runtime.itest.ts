import { RedisDedupStore, createFailFastRedis, defineService } from '@troupe/kit';
import { dedupMiddleware } from '@troupe/kit/internal';
import type { TroupeService } from '@troupe/kit';
import { dedupRedisKey } from '../src/dedup/keys';
import {
  TestEvents,
  committedOffsets,
  createTopics,
  publishCounted,
  testPublisher,
  testService,
  uniqueName,
  waitFor,
  withTestAdmin,
} from './support/runtime-support';

jest.setTimeout(60_000);

/**
 * A live lease of another consumer means "being handled elsewhere, not done yet": the runtime
 * must wait for it (pause, re-handle the same offset) — not spend in-process retries, not move
 * the event to a retry topic, and not skip it.
 */
test('an event whose dedup lease another consumer holds is handled once, after the lease, with no retry spent', async () => {
  const topic = uniqueName('dedup-busy');
  await createTopics([{ topic, partitions: 1 }]);
  const name = uniqueName('dedup-busy-svc');
  const redis = createFailFastRedis(process.env.TROUPE_REDIS_URL!, {});
  const store = new RedisDedupStore({ redis, service: name, leaseMs: 10_000 });
  const calls: number[] = [];
  let service: TroupeService | undefined;
  try {
    const event = await publishCounted(topic, 'k-1');
    // Another consumer (a dead one, say) holds the lease for 2 s more.
    const leaseUntil = Date.now() + 2_000;
    await redis.set(
      dedupRedisKey('troupe:dedup', name, event.id),
      'lease:someone-else',
      'PX',
      2_000,
    );

    service = testService(
      defineService<TestEvents>()({
        name,
        topics: [topic],
        middleware: [dedupMiddleware(store)],
        consumes: {
          'test.runtime.Counted': async () => {
            calls.push(Date.now());
          },
        },
      }),
      { redeliveryDelayMs: 300 },
    );
    await service.start();
    await waitFor(() => calls.length > 0, 20_000, 'the handler to run once the lease expired');
    // Let any redelivery or retry that should not happen show up.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(calls).toHaveLength(1);
    expect(calls[0]!).toBeGreaterThanOrEqual(leaseUntil - 50);
    expect(await redis.get(dedupRedisKey('troupe:dedup', name, event.id))).toBe('done');

    const retryTopic = `${topic}.retry.1`;
    const retryRecords = await withTestAdmin(async (admin) =>
      (await admin.listTopics()).includes(retryTopic)
        ? (await admin.topicOffsets(retryTopic)).reduce((n, p) => n + Number(p.high), 0)
        : 0,
    );
    expect(retryRecords).toBe(0);
  } finally {
    await service?.stop();
    redis.disconnect();
  }
});

/**
 * A handler that ignores its abort signal keeps running after its timeout. The retry must not
 * start a second run beside it: dedup keeps the lease until the abandoned call settles, and when
 * that call succeeds late, its success counts (the event is done, nothing runs again).
 */
test('a timed-out handler still running is never joined by a second run of the same event', async () => {
  const topic = uniqueName('dedup-timeout');
  await createTopics([{ topic, partitions: 1 }]);
  const name = uniqueName('dedup-timeout-svc');
  const redis = createFailFastRedis(process.env.TROUPE_REDIS_URL!, {});
  const store = new RedisDedupStore({ redis, service: name, leaseMs: 10_000 });
  let running = 0;
  let mostAtOnce = 0;
  let starts = 0;
  let effects = 0;
  let service: TroupeService | undefined;
  try {
    const event = await publishCounted(topic, 'k-1');

    service = testService(
      defineService<TestEvents>()({
        name,
        topics: [topic],
        middleware: [dedupMiddleware(store)],
        consumes: {
          'test.runtime.Counted': {
            timeoutMs: 200,
            handle: async () => {
              starts++;
              mostAtOnce = Math.max(mostAtOnce, ++running);
              // Ignores ctx.signal: outlives its 200 ms timeout, then applies its effect.
              await new Promise((resolve) => setTimeout(resolve, 1_200));
              effects++;
              running--;
            },
          },
        },
      }),
      { redeliveryDelayMs: 200 },
    );
    await service.start();
    await waitFor(
      async () => (await redis.get(dedupRedisKey('troupe:dedup', name, event.id))) === 'done',
      20_000,
      'the late success to be marked done',
    );
    // Give a wrongful second run (a retry, a retry topic, a redelivery) time to show up.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(mostAtOnce).toBe(1);
    expect(starts).toBe(1);
    expect(effects).toBe(1);
  } finally {
    await service?.stop();
    redis.disconnect();
  }
});

/**
 * A business key (`keyOf`) through the runtime: one order's events arrive as several events on
 * several partitions handled concurrently, and the order ships once; distinct orders each ship.
 * (Before dedup took the runtime's signature, keyOf saw the event on the batch path and a wrapper
 * on the handler path: every event after the first was committed as a duplicate.)
 */
test('dedup by a business key over many events on several partitions: one effect per key, every event committed', async () => {
  const topic = uniqueName('dedup-business');
  await createTopics([{ topic, partitions: 3 }]);
  const name = uniqueName('dedup-business-svc');
  const redis = createFailFastRedis(process.env.TROUPE_REDIS_URL!, {});
  const store = new RedisDedupStore({ redis, service: name, leaseMs: 10_000 });
  const repeated = Array.from({ length: 20 }, (_, i) => `o-${i}`);
  const distinct = Array.from({ length: 10 }, (_, i) => `single-${i}`);
  const copies = 3;
  const total = repeated.length * copies + distinct.length;
  const shipped = new Map<string, number>();
  const running = new Map<string, number>();
  let mostAtOnceForOneKey = 0;
  let handled = 0;
  let service: TroupeService | undefined;
  const publisher = await testPublisher();
  try {
    // Copies of one order carry different Kafka keys, so they land on different partitions.
    const sends: Promise<unknown>[] = [];
    for (let copy = 0; copy < copies; copy++)
      for (const orderId of repeated)
        sends.push(
          publisher.publish({
            type: 'test.runtime.Counted',
            topic,
            key: `${orderId}/${copy}`,
            payload: { key: orderId, seq: copy, note: null },
          }),
        );
    for (const orderId of distinct)
      sends.push(
        publisher.publish({
          type: 'test.runtime.Counted',
          topic,
          key: orderId,
          payload: { key: orderId, seq: 0, note: null },
        }),
      );
    await Promise.all(sends);

    service = testService(
      defineService<TestEvents>()({
        name,
        topics: [topic],
        dedup: { keyOf: (event) => `ship:${(event.payload as { key: string }).key}` },
        consumes: {
          'test.runtime.Counted': async (order, ctx) => {
            handled++;
            const atOnce = (running.get(order.key) ?? 0) + 1;
            running.set(order.key, atOnce);
            mostAtOnceForOneKey = Math.max(mostAtOnceForOneKey, atOnce);
            // Long enough for the copies on other partitions to arrive while this one runs.
            await new Promise((resolve) => setTimeout(resolve, 20));
            shipped.set(order.key, (shipped.get(order.key) ?? 0) + 1);
            running.set(order.key, atOnce - 1);
            expect(typeof ctx.once).toBe('function'); // typed as present: dedup is declared
          },
        },
      }),
      { dedupStore: store, partitionConcurrency: 3 },
    );
    await service.start();
    await waitFor(
      async () =>
        [...(await committedOffsets(name, topic)).values()].reduce(
          (n, o) => n + Math.max(o, 0),
          0,
        ) === total,
      45_000,
      `all ${total} events committed`,
    );
    const expected = new Map([...repeated, ...distinct].map((orderId) => [orderId, 1]));
    expect(new Map([...shipped].sort())).toEqual(new Map([...expected].sort()));
    expect(handled).toBe(repeated.length + distinct.length);
    expect(mostAtOnceForOneKey).toBe(1);
  } finally {
    await service?.stop();
    await publisher.disconnect();
    redis.disconnect();
  }
});
