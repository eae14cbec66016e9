import { Redis } from 'ioredis';
import {
  DedupBusyError,
  DedupUnavailableError,
  PgDedupMarks,
  RedisDedupStore,
  createFailFastRedis,
  dedupMiddleware,
} from '../src/dedup';
import { freePort, pgPool, sleep, uniqueName } from './fixtures/dedup-support';
import { StandaloneContext as Ctx, standaloneDedup } from './support/standalone-dedup';

const redisUrl = process.env.TROUPE_REDIS_URL as string;

describe('RedisDedupStore against real Redis', () => {
  let redis: Redis;
  let service: string;
  const store = (
    owner: string,
    extra: Partial<ConstructorParameters<typeof RedisDedupStore>[0]> = {},
  ) => new RedisDedupStore({ redis, service, owner, ...extra });

  beforeAll(() => {
    redis = createFailFastRedis(redisUrl);
  });
  beforeEach(() => {
    service = uniqueName('svc');
  });
  afterAll(async () => {
    const keys = await redis.keys(`troupe:dedup:svc_${process.pid}_*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  test('lease, then done: claimed → busy for others → done for everyone', async () => {
    const a = store('a');
    const b = store('b');
    expect(await a.claim('e1')).toEqual({ outcome: 'claimed' });
    expect(await redis.get(`troupe:dedup:${service}:e1`)).toBe('lease:a');
    expect(await b.claim('e1')).toEqual({ outcome: 'busy', holder: 'a' });
    expect(await a.markDone('e1')).toBe('marked');
    expect(await redis.get(`troupe:dedup:${service}:e1`)).toBe('done');
    expect(await b.claim('e1')).toEqual({ outcome: 'done' });
    expect(await a.claim('e1')).toEqual({ outcome: 'done' });
    const ttl = await redis.pttl(`troupe:dedup:${service}:e1`);
    expect(ttl).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
  });

  test('the lease carries leaseMs; done carries doneTtlMs', async () => {
    const a = store('a', { leaseMs: 5_000, doneTtlMs: 60_000 });
    await a.claim('e1');
    const leaseTtl = await redis.pttl(`troupe:dedup:${service}:e1`);
    expect(leaseTtl).toBeGreaterThan(4_000);
    expect(leaseTtl).toBeLessThanOrEqual(5_000);
    await a.markDone('e1');
    expect(await redis.pttl(`troupe:dedup:${service}:e1`)).toBeGreaterThan(55_000);
  });

  test('a failure releases the lease: the next claim runs it again; nothing is marked done', async () => {
    const a = store('a');
    const b = store('b');
    await a.claim('e1');
    expect(await a.release('e1')).toBe(true);
    expect(await redis.exists(`troupe:dedup:${service}:e1`)).toBe(0);
    expect(await b.claim('e1')).toEqual({ outcome: 'claimed' });
  });

  test('an expired lease is taken over; the late owner neither releases nor marks over the new lease', async () => {
    const slow = store('slow', { leaseMs: 200 });
    const next = store('next', { leaseMs: 10_000 });
    await slow.claim('e1');
    await sleep(300);
    expect(await next.claim('e1')).toEqual({ outcome: 'claimed' }); // NX succeeded: the key had expired
    expect(await slow.release('e1')).toBe(false);
    expect(await redis.get(`troupe:dedup:${service}:e1`)).toBe('lease:next');
    expect(await slow.markDone('e1')).toBe('lost');
    expect(await redis.get(`troupe:dedup:${service}:e1`)).toBe('lease:next');
    expect(await next.markDone('e1')).toBe('marked');
    expect(await slow.markDone('e1')).toBe('alreadyDone');
  });

  test('an expired lease nobody took over is still marked by its owner (the key is free)', async () => {
    const a = store('a', { leaseMs: 100 });
    await a.claim('e1');
    await sleep(200);
    expect(await a.markDone('e1')).toBe('marked');
    expect(await store('b').claim('e1')).toEqual({ outcome: 'done' });
  });

  test('one instance never runs a key twice at once; after a lost release it can retake its own lease', async () => {
    const a = store('a');
    await a.claim('e1');
    expect(await a.claim('e1')).toEqual({ outcome: 'busy', holder: 'a' });
    // The release did not reach Redis (simulated by deleting nothing): the lease is still ours there.
    const again = store('a'); // a restart with the same owner id
    expect(await again.claim('e1')).toEqual({ outcome: 'claimed' });
  });

  test('claimMany: one pipeline, outcomes in order, duplicates within the batch claimed once', async () => {
    const a = store('a');
    const b = store('b');
    await b.claim('busy-1');
    await b.claim('done-1');
    await b.markDone('done-1');
    const keys = ['new-1', 'busy-1', 'done-1', 'new-2', 'new-1'];
    const results = await a.claimMany(keys);
    expect(results.map((r) => r.outcome)).toEqual(['claimed', 'busy', 'done', 'claimed', 'busy']);
    expect(results[1]?.holder).toBe('b');

    const many = Array.from({ length: 2_000 }, (_, i) => `bulk-${i}`);
    const started = Date.now();
    const bulk = await a.claimMany(many);
    expect(bulk.every((r) => r.outcome === 'claimed')).toBe(true);
    expect(await a.markDoneMany(many)).toEqual(many.map(() => 'marked'));
    expect(Date.now() - started).toBeLessThan(5_000); // two round trips, not 4,000; slack for load
    expect((await b.claimMany(many)).every((r) => r.outcome === 'done')).toBe(true);
  });

  test('markDoneLater: answered done locally at once, written with the next round trip', async () => {
    const a = store('a', { markDelayMs: 60_000 });
    await a.claim('e1');
    a.markDoneLater('e1');
    expect(await redis.get(`troupe:dedup:${service}:e1`)).toBe('lease:a'); // not written yet
    expect(await a.claim('e1')).toEqual({ outcome: 'done' }); // answered locally, and the round trip carries the mark
    expect(await redis.get(`troupe:dedup:${service}:e1`)).toBe('done');
    await a.claim('e3');
    a.markDoneLater('e3');
    await a.flush();
    expect(await redis.get(`troupe:dedup:${service}:e3`)).toBe('done');
  });

  test('deferred marks are written by a timer when nobody flushes', async () => {
    const a = store('a', { markDelayMs: 20 });
    await a.claim('e1');
    a.markDoneLater('e1');
    await sleep(200);
    expect(await redis.get(`troupe:dedup:${service}:e1`)).toBe('done');
  });

  test('once: the effect runs once per business key; a failing effect can run again', async () => {
    const a = store('a');
    const b = store('b');
    let calls = 0;
    const charge = async () => ++calls;
    expect(await a.once('charge:o-1', charge)).toEqual({ ran: true, value: 1 });
    expect(await b.once('charge:o-1', charge)).toEqual({ ran: false });
    expect(calls).toBe(1);

    await expect(
      a.once('charge:o-2', async () => Promise.reject(new Error('declined'))),
    ).rejects.toThrow('declined');
    expect(await b.once('charge:o-2', charge)).toEqual({ ran: true, value: 2 });

    await b.claim('once:charge:o-3');
    await expect(a.once('charge:o-3', charge)).rejects.toBeInstanceOf(DedupBusyError);
    expect(calls).toBe(2);
  });

  test('two claims of one key sent at once by one process: one is claimed, the other busy', async () => {
    const a = store('A');
    const [x, y] = await Promise.all([a.claim('k'), a.claim('k')]);
    expect([x.outcome, y.outcome].sort()).toEqual(['busy', 'claimed']);
    await a.markDone('k');
    expect((await a.claim('k')).outcome).toBe('done');
  });
});

describe('dedupMiddleware against real Redis', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = createFailFastRedis(redisUrl);
  });
  afterAll(() => redis.disconnect());

  test('each event id is handled once across redeliveries and consumers; failures are retried, never marked', async () => {
    const service = uniqueName('svc');
    const effects = new Map<string, number>();
    let failNext = new Set(['e3']);
    const handler = async (payload: string, ctx: Ctx) => {
      if (failNext.has(ctx.metadata.id)) throw new Error(`boom ${payload}`);
      effects.set(ctx.metadata.id, (effects.get(ctx.metadata.id) ?? 0) + 1);
    };
    const consumerA = standaloneDedup(
      dedupMiddleware(new RedisDedupStore({ redis, service, owner: 'A' })),
      handler,
    );
    const consumerB = standaloneDedup(
      dedupMiddleware(new RedisDedupStore({ redis, service, owner: 'B' })),
      handler,
    );
    const runA = consumerA.handle;
    const runB = consumerB.handle;
    const events = ['e1', 'e2', 'e3', 'e4'].map((id) => ({ metadata: { id }, payload: id }));

    await consumerA.prepareBatch(events);
    for (const e of events) await runA(e.payload, { metadata: e.metadata }).catch(() => undefined);
    await consumerA.finishBatch();
    expect([...effects.entries()].sort()).toEqual([
      ['e1', 1],
      ['e2', 1],
      ['e4', 1],
    ]);
    expect(await redis.exists(`troupe:dedup:${service}:e3`)).toBe(0); // released, not done

    // Redelivered to another consumer (a rebalance): done ones skipped, the failed one runs.
    failNext = new Set();
    await consumerB.prepareBatch(events);
    const contexts: Ctx[] = events.map((e) => ({ metadata: e.metadata }));
    for (const [i, e] of events.entries()) await runB(e.payload, contexts[i] as Ctx);
    await consumerB.finishBatch();
    expect([...effects.entries()].sort()).toEqual([
      ['e1', 1],
      ['e2', 1],
      ['e3', 1],
      ['e4', 1],
    ]);
    expect(contexts.map((c) => c.outcome)).toEqual([
      'duplicate',
      'duplicate',
      undefined,
      'duplicate',
    ]);
  });

  test('an event another consumer is handling is busy: DedupBusyError, handler not run', async () => {
    const service = uniqueName('svc');
    const other = new RedisDedupStore({ redis, service, owner: 'other' });
    await other.claim('e1');
    let ran = 0;
    const { handle: run } = standaloneDedup(
      dedupMiddleware(new RedisDedupStore({ redis, service, owner: 'me' })),
      async () => {
        ran++;
      },
    );
    await expect(run(null, { metadata: { id: 'e1' } })).rejects.toBeInstanceOf(DedupBusyError);
    expect(ran).toBe(0);
  });

  test('ctx.once inside a handler runs the side effect once even when the handler is retried', async () => {
    const service = uniqueName('svc');
    let charges = 0;
    let attempt = 0;
    const { handle: run } = standaloneDedup(
      dedupMiddleware(new RedisDedupStore({ redis, service }), { marks: 'immediate' }),
      async (_: null, ctx: Ctx) => {
        await ctx.once?.('charge:order-1', async () => ++charges);
        if (++attempt === 1) throw new Error('failed after the charge');
      },
    );
    await expect(run(null, { metadata: { id: 'e1' } })).rejects.toThrow('failed after the charge');
    await run(null, { metadata: { id: 'e1' } });
    expect(charges).toBe(1);
    expect(attempt).toBe(2);
  });

  test('a business key function dedups two events carrying the same effect', async () => {
    const service = uniqueName('svc');
    let shipped = 0;
    const mw = dedupMiddleware(new RedisDedupStore({ redis, service }), {
      keyOf: (e) => `ship:${(e.payload as { orderId: string }).orderId}`,
    });
    const { handle: run } = standaloneDedup(mw, async () => {
      shipped++;
    });
    await run({ orderId: 'o-1' }, { metadata: { id: 'e1' } });
    await run({ orderId: 'o-1' }, { metadata: { id: 'e2' } });
    expect(shipped).toBe(1);
  });
});

describe('Redis unreachable', () => {
  test('commands fail fast as DedupUnavailableError; nothing is skipped', async () => {
    const port = await freePort(); // nothing listens here
    const redis = createFailFastRedis(`redis://127.0.0.1:${port}`, {
      commandTimeout: 300,
      connectTimeout: 300,
    });
    const store = new RedisDedupStore({ redis, service: uniqueName('svc') });
    let ran = 0;
    const { handle: run } = standaloneDedup(dedupMiddleware(store), async () => {
      ran++;
    });
    const started = Date.now();
    await expect(store.claim('e1')).rejects.toBeInstanceOf(DedupUnavailableError);
    await expect(store.claimMany(['e1', 'e2'])).rejects.toMatchObject({
      code: 'DEDUP_UNAVAILABLE',
      retryable: true,
    });
    await expect(run(null, { metadata: { id: 'e1' } })).rejects.toBeInstanceOf(
      DedupUnavailableError,
    );
    expect(ran).toBe(0);
    expect(Date.now() - started).toBeLessThan(3_000);
    // ioredis keeps a connect timer alive for up to connectTimeout after disconnect().
    redis.disconnect();
    await sleep(300); // disconnectTimeout
  });
});

describe('PgDedupMarks against real PostgreSQL', () => {
  const pool = pgPool(4);
  const marks = new PgDedupMarks({ service: 'billing', table: uniqueName('marks') });
  beforeAll(() => marks.migrate(pool));
  afterAll(async () => {
    await pool.query(`DROP TABLE IF EXISTS ${marks.table.sql}`);
    await pool.end();
  });

  test('first record wins; a concurrent second waits for it and loses; a rollback gives the key back', async () => {
    const [a, b] = [await pool.connect(), await pool.connect()];
    try {
      await a.query('BEGIN');
      await b.query('BEGIN');
      expect(await marks.record(a, 'e1')).toBe(true);
      const second = marks.record(b, 'e1'); // blocks on a's uncommitted row
      await sleep(100);
      await a.query('COMMIT');
      expect(await second).toBe(false);
      await b.query('ROLLBACK');

      await a.query('BEGIN');
      expect(await marks.record(a, 'e2')).toBe(true);
      await a.query('ROLLBACK');
      await b.query('BEGIN');
      expect(await marks.record(b, 'e2')).toBe(true);
      await b.query('COMMIT');
    } finally {
      a.release();
      b.release();
    }
    await marks.migrate(pool); // idempotent
    expect(await marks.purgeOlderThan(pool, 60_000)).toBe(0);
  });
});
