/**
 * Two relays (child processes) publish a PostgreSQL outbox while business transactions keep
 * committing and rolling back. Each relay is SIGKILLed once right after Kafka acknowledged a batch
 * and before its commit (mid-batch), then restarted. A consumer with Redis dedup applies each event.
 * Expected: every committed row published at least once, each applied exactly once, order per
 * aggregate intact, nothing from a rolled-back transaction.
 */
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { RedisDedupStore, createFailFastRedis, dedupMiddleware } from '../src/dedup';
import type { KafkaDriver } from '../src/kafka';
import { PgOutbox } from '../src/outbox';
import { standaloneDedup } from './support/standalone-dedup';
import {
  ChildScript,
  consumeEach,
  createTopic,
  deleteTopics,
  kafkaClient,
  pgPool,
  sleep,
  uniqueName,
  waitFor,
} from './fixtures/dedup-support';

jest.setTimeout(110_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'outbox-relay.ts');
const AGGREGATES = 30;
const PREFILLED_PER_AGGREGATE = 60; // 1,800 rows before the relays start
const LIVE_TRANSACTIONS = 150; // then 150 transactions of 4 rows, every 5th rolled back

test('relays killed mid-batch twice: each committed event applied exactly once, in order per aggregate', async () => {
  const pool: Pool = pgPool(6);
  const kafka: KafkaDriver = kafkaClient();
  const redis = createFailFastRedis(process.env.TROUPE_REDIS_URL as string);
  const outbox = new PgOutbox({ table: uniqueName('outbox') });
  const topic = uniqueName('outbox_kill');
  await createTopic(kafka, topic, 3);
  await outbox.migrate(pool);
  const children: ChildScript[] = [];

  const seqOf = new Map<string, number>(); // next seq per aggregate (committed only)
  const committed = new Set<string>();
  const rolledBack = new Set<string>();
  const addTransaction = async (aggregates: string[], commit: boolean) => {
    const tx: PoolClient = await pool.connect();
    try {
      await tx.query('BEGIN');
      const ids: string[] = [];
      const messages = aggregates.map((aggregate) => {
        const seq = seqOf.get(aggregate) ?? 0;
        seqOf.set(aggregate, seq + 1);
        const id = commit ? `${aggregate}:${seq}` : `rolled-back:${aggregate}:${seq}`;
        ids.push(id);
        return {
          topic,
          key: aggregate,
          value: JSON.stringify({ aggregate, seq }),
          headers: { ce_id: id },
        };
      });
      await outbox.addMany(tx, messages);
      await tx.query(commit ? 'COMMIT' : 'ROLLBACK');
      for (const id of ids) (commit ? committed : rolledBack).add(id);
      if (!commit)
        for (const aggregate of aggregates) seqOf.set(aggregate, (seqOf.get(aggregate) ?? 1) - 1);
    } finally {
      tx.release();
    }
  };
  for (let s = 0; s < PREFILLED_PER_AGGREGATE; s++) {
    await addTransaction(
      Array.from({ length: AGGREGATES }, (_, a) => `agg-${a}`),
      true,
    );
  }

  // The consumer: Redis dedup in front of an effect counter; records applied order per aggregate.
  const applied = new Map<string, number>();
  const appliedOrder = new Map<string, number[]>();
  let deliveries = 0;
  const { handle } = standaloneDedup(
    dedupMiddleware(new RedisDedupStore({ redis, service: uniqueName('svc') }), {
      marks: 'immediate',
    }),
    async (payload: { aggregate: string; seq: number }, ctx) => {
      applied.set(ctx.metadata.id, (applied.get(ctx.metadata.id) ?? 0) + 1);
      const order = appliedOrder.get(payload.aggregate) ?? [];
      order.push(payload.seq);
      appliedOrder.set(payload.aggregate, order);
    },
  );
  const consumer = await consumeEach(
    kafka,
    { topics: [topic], groupId: uniqueName('group') },
    async (message) => {
      deliveries++;
      await handle(JSON.parse(String(message.value)), {
        metadata: { id: String(message.headers.ce_id) },
      });
    },
  );

  const relayConfig = {
    kind: 'pg',
    table: outbox.table.table,
    batchSize: 40,
    pauseAfterPublishMs: 300,
  };
  const start = () => {
    const child = new ChildScript(FIXTURE, relayConfig);
    children.push(child);
    return child;
  };
  let a = start();
  let b = start();

  // Business transactions keep coming while relays die.
  const live = (async () => {
    for (let t = 0; t < LIVE_TRANSACTIONS; t++) {
      const picks = Array.from({ length: 4 }, (_, i) => `agg-${(t * 7 + i * 3) % AGGREGATES}`);
      await addTransaction([...new Set(picks)], t % 5 !== 4);
      await sleep(20);
    }
  })();

  // Kill each relay right after Kafka acknowledged one of its batches, before it commits.
  const republished: number[] = [];
  const published = (child: ChildScript) => child.lines.filter((l) => 'published' in l).length;
  for (const which of ['a', 'b'] as const) {
    const victim = which === 'a' ? a : b;
    const before = published(victim);
    await waitFor(() => published(victim) > before, 30_000, `relay ${which} to publish a batch`);
    await victim.kill('SIGKILL'); // within its 300 ms pause between Kafka's ack and the commit
    const last = victim.lines.filter((l) => 'published' in l).pop() as { published: number };
    republished.push(last.published);
    if (which === 'a') a = start();
    else b = start();
  }
  await live;

  await waitFor(
    async () => (await outbox.stats(pool)).pending === 0,
    60_000,
    'the outbox to drain',
  );
  await waitFor(
    () => [...committed].every((id) => applied.has(id)),
    30_000,
    'every committed event applied',
  );
  await sleep(1_000); // late duplicates, if any, arrive now
  await consumer.stop();
  for (const child of [a, b]) await child.kill('SIGTERM');
  for (const child of children) await child.kill();
  redis.disconnect();

  const twice = [...applied].filter(([, n]) => n !== 1);
  const fromRolledBack = [...applied.keys()].filter(
    (id) => rolledBack.has(id) || id.startsWith('rolled-back'),
  );
  const outOfOrder = [...appliedOrder].filter(([, seqs]) => seqs.some((seq, i) => seq !== i));
  console.log(
    `outbox-kill: ${committed.size} committed, ${rolledBack.size} rolled back, ${deliveries} deliveries ` +
      `(${deliveries - committed.size} duplicates from killed relays), relay lives: ${children.length}`,
  );
  await deleteTopics(kafka, [topic]);
  await pool.query(`DROP TABLE IF EXISTS ${outbox.table.sql}`);
  await pool.end();

  expect(twice).toEqual([]);
  expect(applied.size).toBe(committed.size);
  expect(fromRolledBack).toEqual([]);
  expect(outOfOrder.map(([aggregate]) => aggregate)).toEqual([]);
  // Both kills landed mid-batch: each batch a killed relay had published was published again.
  expect(republished.length).toBe(2);
  expect(deliveries).toBeGreaterThanOrEqual(
    committed.size + republished.reduce((sum, n) => sum + n, 0),
  );
});
