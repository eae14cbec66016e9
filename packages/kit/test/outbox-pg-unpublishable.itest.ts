/**
 * A row the broker refuses every time (its message is over the topic's `max.message.bytes`), with
 * more than a batch of its aggregate's rows behind it, must hold back only that aggregate: the
 * other aggregates' rows publish, in order, while the stuck aggregate's rows wait in order, with the
 * failure recorded on the row. Once the topic accepts the message, the held rows follow in order.
 */
import type { Pool } from 'pg';
import { OutboxRelay, PgOutbox, runOutboxRelay } from '../src/outbox';
import type { KafkaDriver } from '../src/kafka';
import {
  type TestConsumer,
  collect,
  createTopic,
  deleteTopics,
  kafkaClient,
  pgPool,
  sleep,
  uniqueName,
  waitFor,
  withAdmin,
} from './fixtures/dedup-support';

jest.setTimeout(90_000);

const BATCH_SIZE = 5;
const HELD_FOLLOWERS = 3 * BATCH_SIZE; // A's rows behind its refused head: several batches' worth
const OTHER_ROWS = 12; // B's rows, all committed after A's

describe('a PostgreSQL outbox row Kafka refuses', () => {
  let pool: Pool;
  let kafka: KafkaDriver;
  let consumer: TestConsumer | undefined;
  const relays: OutboxRelay[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(() => {
    pool = pgPool(8);
    kafka = kafkaClient();
  });
  afterAll(async () => {
    await consumer?.stop();
    for (const relay of relays) await relay.stop();
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await pool.end();
  });

  test('holds back only its own aggregate; the others publish past it, in order', async () => {
    const outbox = new PgOutbox({ table: uniqueName('outbox') });
    const topic = uniqueName('outbox_small');
    // One partition, so A's and B's rows share every record batch Kafka judges.
    await createTopic(kafka, topic, 1, { 'max.message.bytes': '4096' });
    await outbox.migrate(pool);
    cleanup.push(
      () => deleteTopics(kafka, [topic]),
      () => pool.query(`DROP TABLE IF EXISTS ${outbox.table.sql}`),
    );

    const rowsOfA = [
      { topic, key: 'A', value: Buffer.alloc(16 * 1024, 'a'), headers: { seq: 'A-0' } },
      ...Array.from({ length: HELD_FOLLOWERS }, (_, i) => ({
        topic,
        key: 'A',
        value: `A-${i + 1}`,
        headers: { seq: `A-${i + 1}` },
      })),
    ];
    const rowsOfB = Array.from({ length: OTHER_ROWS }, (_, i) => ({
      topic,
      key: 'B',
      value: `B-${i}`,
      headers: { seq: `B-${i}` },
    }));
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await outbox.addMany(tx, rowsOfA);
      await outbox.addMany(tx, rowsOfB);
      await tx.query('COMMIT');
    } finally {
      tx.release();
    }

    const collected = await collect(kafka, topic);
    consumer = collected.consumer;
    const { messages } = collected;
    const errors: Error[] = [];
    // Two relays (two claim loops each) contend for the same rows, as in production.
    for (let i = 0; i < 2; i++) {
      relays.push(
        await runOutboxRelay({
          outbox,
          pool,
          kafka,
          batchSize: BATCH_SIZE,
          listen: false,
          pollIntervalMs: 100,
          failedRowRetryMs: 200,
          failedRowRetryMaxMs: 1_000,
          onError: (error) => errors.push(error),
        }),
      );
    }

    const seqs = () => messages.map((m) => String(m.headers?.seq));
    await waitFor(() => messages.length >= OTHER_ROWS, 30_000, "B's rows past A's refused head");
    await sleep(1_500); // several more rounds: time for anything of A that should not arrive
    expect(seqs()).toEqual(rowsOfB.map((r) => r.headers.seq));

    const unsent = await pool.query<{
      seq: string;
      attempts: number;
      last_error: string | null;
      next_attempt_at: Date | null;
    }>(
      `SELECT headers->>'seq' AS seq, attempts, last_error, next_attempt_at
       FROM ${outbox.table.sql} WHERE sent_at IS NULL ORDER BY id`,
    );
    expect(unsent.rows.map((r) => r.seq)).toEqual(rowsOfA.map((r) => r.headers.seq));
    const [head, ...followers] = unsent.rows;
    // Kept, not dropped: the head says how often and why it failed, and when it is tried next.
    expect(head?.attempts).toBeGreaterThanOrEqual(2);
    expect(head?.last_error).toMatch(/larger than the max message size/);
    expect(head?.next_attempt_at).toBeInstanceOf(Date);
    for (const follower of followers) expect(follower.last_error).toBeNull();
    expect(await outbox.stats(pool)).toMatchObject({
      pending: rowsOfA.length,
      failing: 1,
    });
    expect(errors.some((e) => /A-0|larger than the max message size/.test(e.message))).toBe(true);

    // The operator lets the topic take the message: the held rows follow, in order, behind B's.
    await withAdmin(kafka, (admin) =>
      admin.alterTopicConfigs(topic, { 'max.message.bytes': String(1024 * 1024) }),
    );
    await waitFor(
      () => messages.length >= OTHER_ROWS + rowsOfA.length,
      30_000,
      "A's rows after the topic accepts its head",
    );
    await sleep(500);
    expect(seqs()).toEqual([...rowsOfB, ...rowsOfA].map((r) => r.headers.seq));
    expect(await outbox.stats(pool)).toMatchObject({ pending: 0, failing: 0 });
  });

  test('a row for a topic that does not exist fails naming the topic, and no topic is created', async () => {
    const outbox = new PgOutbox({ table: uniqueName('outbox') });
    const topic = uniqueName('outbox_real');
    const misspelled = `${topic}_typo`;
    await createTopic(kafka, topic, 1);
    await outbox.migrate(pool);
    cleanup.push(
      () => deleteTopics(kafka, [topic, misspelled]),
      () => pool.query(`DROP TABLE IF EXISTS ${outbox.table.sql}`),
    );
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await outbox.addMany(tx, [
        { topic: misspelled, key: 'M', value: 'lost?', headers: { seq: 'M-0' } },
        { topic, key: 'G', value: 'good', headers: { seq: 'G-0' } },
      ]);
      await tx.query('COMMIT');
    } finally {
      tx.release();
    }
    const errors: Error[] = [];
    relays.push(
      await runOutboxRelay({
        outbox,
        pool,
        kafka,
        listen: false,
        pollIntervalMs: 100,
        failedRowRetryMs: 200,
        failedRowRetryMaxMs: 1_000,
        onError: (error) => errors.push(error),
      }),
    );
    const failed = async () =>
      (
        await pool.query<{ last_error: string | null }>(
          `SELECT last_error FROM ${outbox.table.sql} WHERE headers->>'seq' = 'M-0' AND sent_at IS NULL`,
        )
      ).rows[0]?.last_error ?? null;
    await waitFor(
      async () => (await failed()) !== null,
      60_000,
      'the row for the missing topic to fail',
    );
    expect(await failed()).toContain(`expected topic ${misspelled} to exist`);
    // The other aggregate's row went out; the refused row is kept for when the topic exists.
    expect(await outbox.stats(pool)).toMatchObject({ pending: 1, failing: 1 });
    expect(errors.some((e) => e.message.includes(misspelled))).toBe(true);
    // Sending to it created nothing (the broker runs with auto.create.topics.enable=false).
    expect(await withAdmin(kafka, (admin) => admin.listTopics())).not.toContain(misspelled);
  });
});
