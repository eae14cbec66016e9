import type { Pool } from 'pg';
import { Registry } from 'prom-client';
import { OutboxRelay, PgOutbox, registerOutboxMetrics, runOutboxRelay } from '../src/outbox';
import type { KafkaDriver } from '../src/kafka';
import {
  collect,
  createTopic,
  deleteTopics,
  kafkaClient,
  pgPool,
  sleep,
  uniqueName,
  waitFor,
} from './fixtures/dedup-support';

jest.setTimeout(90_000);

describe('PostgreSQL outbox and relay', () => {
  let pool: Pool;
  let kafka: KafkaDriver;
  const cleanup: (() => Promise<unknown>)[] = [];
  const relays: OutboxRelay[] = [];

  beforeAll(() => {
    pool = pgPool(12);
    kafka = kafkaClient();
  });
  afterAll(async () => {
    for (const relay of relays) await relay.stop();
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await pool.end();
  });

  async function setup(partitions = 1) {
    const outbox = new PgOutbox({ table: uniqueName('outbox') });
    const topic = uniqueName('outbox_topic');
    await createTopic(kafka, topic, partitions);
    await outbox.migrate(pool);
    cleanup.push(
      () => deleteTopics(kafka, [topic]),
      () => pool.query(`DROP TABLE IF EXISTS ${outbox.table.sql}`),
    );
    return { outbox, topic };
  }

  async function inTransaction<T>(
    work: (tx: import('pg').PoolClient) => Promise<T>,
    commit = true,
  ): Promise<T> {
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      const result = await work(tx);
      await tx.query(commit ? 'COMMIT' : 'ROLLBACK');
      return result;
    } catch (error) {
      await tx.query('ROLLBACK');
      throw error;
    } finally {
      tx.release();
    }
  }

  test('the migration is idempotent, safe to run concurrently, and creates the partial indexes', async () => {
    const outbox = new PgOutbox({ table: uniqueName('outbox') });
    cleanup.push(() => pool.query(`DROP TABLE IF EXISTS ${outbox.table.sql}`));
    await Promise.all([outbox.migrate(pool), outbox.migrate(pool), outbox.migrate(pool)]);
    await outbox.migrate(pool);
    const indexes = await pool.query<{ indexdef: string }>(
      'SELECT indexdef FROM pg_indexes WHERE tablename = $1',
      [outbox.table.table],
    );
    const defs = indexes.rows.map((r) => r.indexdef).join('\n');
    expect(defs).toMatch(/\(id\) WHERE \(sent_at IS NULL\)/);
    expect(defs).toMatch(/\(aggregate_key, id\) WHERE \(sent_at IS NULL\)/);
    expect(defs).toMatch(
      /\(aggregate_key, id\) WHERE \(\(sent_at IS NULL\) AND \(next_attempt_at IS NOT NULL\)\)/,
    );
  });

  test('the migration upgrades a table made before the failure columns; its pending rows still go', async () => {
    const { outbox, topic } = await setup();
    // The table as earlier versions created it: no last_error, no next_attempt_at.
    await pool.query(`DROP TABLE ${outbox.table.sql}`);
    await pool.query(`CREATE TABLE ${outbox.table.sql} (
        id bigserial PRIMARY KEY,
        aggregate_key text NOT NULL,
        topic text NOT NULL,
        message_key bytea,
        value bytea,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        attempts integer NOT NULL DEFAULT 0)`);
    await pool.query(
      `INSERT INTO ${outbox.table.sql} (aggregate_key, topic, value) VALUES ('u', $1, 'before the upgrade')`,
      [topic],
    );
    await Promise.all([outbox.migrate(pool), outbox.migrate(pool)]);
    const columns = await pool.query<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_name = $1',
      [outbox.table.table],
    );
    expect(columns.rows.map((c) => c.column_name)).toEqual(
      expect.arrayContaining(['last_error', 'next_attempt_at']),
    );
    const { consumer, messages } = await collect(kafka, topic);
    relays.push(await runOutboxRelay({ outbox, pool, kafka, listen: false, pollIntervalMs: 100 }));
    await waitFor(() => messages.length >= 1, 20_000, 'the row written before the upgrade');
    await consumer.stop();
    expect(String(messages[0]?.value)).toBe('before the upgrade');
  });

  test('a committed transaction always publishes; a rolled-back one publishes nothing', async () => {
    const { outbox, topic } = await setup();
    const business = uniqueName('orders');
    await pool.query(`CREATE TABLE ${business} (id text PRIMARY KEY)`);
    cleanup.push(() => pool.query(`DROP TABLE IF EXISTS ${business}`));
    const { consumer, messages } = await collect(kafka, topic);
    relays.push(await runOutboxRelay({ outbox, pool, kafka, pollIntervalMs: 200 }));

    await inTransaction(async (tx) => {
      await tx.query(`INSERT INTO ${business} VALUES ('o-1')`);
      await outbox.add(tx, {
        topic,
        key: 'o-1',
        value: 'placed o-1',
        headers: { ce_id: 'e-1', bin: Buffer.from([1, 2]) },
      });
    });
    await inTransaction(async (tx) => {
      await tx.query(`INSERT INTO ${business} VALUES ('o-2')`);
      await outbox.add(tx, { topic, key: 'o-2', value: 'placed o-2', headers: { ce_id: 'e-2' } });
    }, false);
    await expect(
      inTransaction(async (tx) => {
        await outbox.add(tx, { topic, key: 'o-3', value: 'placed o-3' });
        throw new Error('business rule failed after the add');
      }),
    ).rejects.toThrow('business rule failed');

    await waitFor(() => messages.length >= 1, 20_000, 'the committed event');
    await sleep(1_500); // time for anything that should not arrive
    await consumer.stop();
    expect(messages.map((m) => String(m.value))).toEqual(['placed o-1']);
    expect(String(messages[0]?.key)).toBe('o-1');
    expect(String(messages[0]?.headers?.ce_id)).toBe('e-1');
    expect(messages[0]?.headers?.bin).toEqual(Buffer.from([1, 2]));
    expect(await outbox.stats(pool)).toEqual({ pending: 0, failing: 0, oldestUnsentAgeMs: null });
  });

  test('add(tx, event) encodes an OutgoingEvent with the injected encoder before the insert', async () => {
    const { topic } = await setup();
    const outbox = new PgOutbox({
      table: uniqueName('outbox'),
      encode: async (event) => ({
        key: event.key,
        value: Buffer.from(JSON.stringify(event.payload)),
        headers: { ce_type: event.type, ce_id: event.id ?? 'generated' },
      }),
    });
    await outbox.migrate(pool);
    cleanup.push(() => pool.query(`DROP TABLE IF EXISTS ${outbox.table.sql}`));
    const id = await inTransaction((tx) =>
      outbox.add(tx, {
        type: 'OrderPlaced',
        payload: { orderId: 'o-9' },
        key: 'o-9',
        topic,
        id: 'evt-9',
      }),
    );
    const row = await pool.query(
      `SELECT aggregate_key, topic, message_key, value, headers FROM ${outbox.table.sql} WHERE id = $1`,
      [id],
    );
    expect(row.rows[0]).toEqual({
      aggregate_key: 'o-9',
      topic,
      message_key: Buffer.from('o-9'),
      value: Buffer.from('{"orderId":"o-9"}'),
      headers: { ce_type: 'OrderPlaced', ce_id: 'evt-9' },
    });
  });

  test('a relay never publishes a later row of an aggregate while an earlier one is held by another relay', async () => {
    const { outbox, topic } = await setup();
    const ids = await inTransaction((tx) =>
      outbox.addMany(tx, [
        { topic, key: 'K', value: 'K-1' },
        { topic, key: 'K', value: 'K-2' },
        { topic, key: 'J', value: 'J-1' },
      ]),
    );
    // "Relay A" holds K-1 mid-publish (its row lock, uncommitted).
    const relayA = await pool.connect();
    await relayA.query('BEGIN');
    await relayA.query(`SELECT id FROM ${outbox.table.sql} WHERE id = $1 FOR UPDATE`, [ids[0]]);
    const relayB = new OutboxRelay({ outbox, pool, kafka, listen: false });
    await relayB.start();
    relays.push(relayB);
    await waitFor(
      async () =>
        (
          await pool.query(
            `SELECT 1 FROM ${outbox.table.sql} WHERE value = 'J-1' AND sent_at IS NOT NULL`,
          )
        ).rowCount === 1,
      10_000,
      'J-1 sent',
    );
    await sleep(500);
    const unsent = await pool.query<{ value: Buffer }>(
      `SELECT value FROM ${outbox.table.sql} WHERE sent_at IS NULL ORDER BY id`,
    );
    expect(unsent.rows.map((r) => String(r.value))).toEqual(['K-1', 'K-2']); // K-2 held back behind K-1
    await relayA.query('ROLLBACK'); // A died without publishing: B takes both, in order
    relayA.release();
    await waitFor(async () => (await outbox.stats(pool)).pending === 0, 10_000, 'K sent');
    const { consumer, messages } = await collect(kafka, topic);
    await waitFor(() => messages.length >= 3, 20_000, 'three messages');
    await consumer.stop();
    expect(messages.map((m) => String(m.value))).toEqual(['J-1', 'K-1', 'K-2']);
  });

  test('two relays at once keep per-aggregate order over 2,000 rows', async () => {
    const { outbox, topic } = await setup(3);
    // Few aggregates, small batches: the two relays contend for the same aggregates all the time.
    const aggregates = 4;
    const perAggregate = 500;
    const inputs: { topic: string; key: string; value: string }[] = [];
    for (let seq = 0; seq < perAggregate; seq++) {
      for (let a = 0; a < aggregates; a++)
        inputs.push({ topic, key: `agg-${a}`, value: `${a}:${seq}` });
    }
    for (let i = 0; i < inputs.length; i += 200) {
      await inTransaction((tx) => outbox.addMany(tx, inputs.slice(i, i + 200)));
    }
    const { consumer, messages } = await collect(kafka, topic);
    relays.push(
      await runOutboxRelay({
        outbox,
        pool,
        kafka,
        batchSize: 7,
        listen: false,
        pollIntervalMs: 50,
      }),
      await runOutboxRelay({
        outbox,
        pool,
        kafka,
        batchSize: 11,
        listen: false,
        pollIntervalMs: 50,
      }),
    );
    await waitFor(() => messages.length >= inputs.length, 60_000, 'all rows');
    await consumer.stop();
    const seen = new Map<number, number>();
    for (const message of messages) {
      const [a, seq] = String(message.value).split(':').map(Number) as [number, number];
      expect(seq).toBe((seen.get(a) ?? -1) + 1);
      seen.set(a, seq);
    }
    expect(messages.length).toBe(inputs.length);
  });

  test('NOTIFY wakes the relay at once (polling set to a minute); the listener reconnects after losing its connection', async () => {
    const { outbox, topic } = await setup();
    const { consumer, messages } = await collect(kafka, topic);
    const relay = await runOutboxRelay({ outbox, pool, kafka, pollIntervalMs: 60_000 });
    relays.push(relay);
    // Listening (its LISTEN is on a server connection); the first (startup) round then finds nothing.
    const listening = async () =>
      (
        await pool.query(`SELECT 1 FROM pg_stat_activity WHERE query = $1`, [
          `LISTEN "${outbox.channel}"`,
        ])
      ).rowCount === 1;
    await waitFor(listening, 20_000, 'the relay to listen');
    const started = Date.now();
    await inTransaction((tx) => outbox.add(tx, { topic, key: 'n', value: 'notified' }));
    await waitFor(() => messages.length >= 1, 10_000, 'the notified event');
    const latency = Date.now() - started;
    expect(latency).toBeLessThan(5_000); // a minute without NOTIFY; slack for a loaded machine

    // Kill the LISTEN connection from the server side: the relay reconnects and hears the next one.
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [
      `LISTEN "${outbox.channel}"`,
    ]);
    await waitFor(
      async () =>
        (
          await pool.query(`SELECT 1 FROM pg_stat_activity WHERE query = $1`, [
            `LISTEN "${outbox.channel}"`,
          ])
        ).rowCount === 1,
      15_000,
      'the listener to reconnect',
    );
    await inTransaction((tx) => outbox.add(tx, { topic, key: 'n', value: 'after reconnect' }));
    await waitFor(() => messages.length >= 2, 10_000, 'the event after the reconnect');
    await consumer.stop();
    console.log(`outbox NOTIFY: commit → Kafka consumer ${latency} ms`);
  });

  test('stats and gauges report the backlog; sent rows are deleted after retention', async () => {
    const { outbox, topic } = await setup();
    await inTransaction((tx) =>
      outbox.addMany(
        tx,
        [1, 2, 3].map((i) => ({ topic, key: 'k', value: String(i) })),
      ),
    );
    await sleep(300);
    const stats = await outbox.stats(pool);
    expect(stats.pending).toBe(3);
    expect(stats.oldestUnsentAgeMs).toBeGreaterThanOrEqual(250);

    const relay = new OutboxRelay({ outbox, pool, kafka, listen: false, retentionMs: 1 });
    const registry = new Registry();
    registerOutboxMetrics(relay, { name: outbox.table.table, registry });
    const text = await registry.metrics();
    expect(text).toContain(`troupe_outbox_pending{outbox="${outbox.table.table}"} 3`);
    expect(text).toMatch(/troupe_outbox_oldest_unsent_age_seconds\{outbox="[^"]+"\} 0\.[0-9]+/);
    expect(text).toContain(`troupe_outbox_failing{outbox="${outbox.table.table}"} 0`);

    await relay.start();
    relays.push(relay);
    await waitFor(async () => (await relay.stats()).pending === 0, 10_000, 'all sent');
    expect(
      Number((await pool.query(`SELECT count(*) AS n FROM ${outbox.table.sql}`)).rows[0].n),
    ).toBe(3);
    await sleep(20);
    await relay.runCleanup();
    expect(
      Number((await pool.query(`SELECT count(*) AS n FROM ${outbox.table.sql}`)).rows[0].n),
    ).toBe(0);
    expect(await registry.metrics()).toContain(
      `troupe_outbox_pending{outbox="${outbox.table.table}"} 0`,
    );
  });
});
