/**
 * The one window a Redis mark cannot cover: the process dies after the effect committed and before
 * the done mark is written. Reproduced deterministically (the child kills itself right there):
 * Redis dedup alone applies that event's effect twice after the lease expires (at-least-once, as
 * documented); with PgDedupMarks recorded in the effect's transaction it is applied once.
 */
import path from 'node:path';
import type { Pool } from 'pg';
import { PgDedupMarks } from '../src/dedup';
import type { KafkaDriver } from '../src/kafka';
import {
  ChildScript,
  createTopic,
  deleteTopics,
  groupCaughtUp,
  kafkaClient,
  pgPool,
  uniqueName,
  waitFor,
} from './fixtures/dedup-support';
import { publishNumbered } from './support/runtime-support';

jest.setTimeout(90_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'dedup-consumer.ts');

describe('crash between effect and done mark', () => {
  let pool: Pool;
  let kafka: KafkaDriver;
  const children: ChildScript[] = [];
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(() => {
    pool = pgPool(4);
    kafka = kafkaClient();
  });
  afterAll(async () => {
    for (const child of children) await child.kill();
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
    await pool.end();
  });

  async function crashOnce(
    withMarks: boolean,
    markMode: 'deferred' | 'immediate',
  ): Promise<Map<number, number>> {
    const topic = uniqueName('dedup_window');
    const service = uniqueName('svc');
    const effectTable = uniqueName('effects');
    const marks = new PgDedupMarks({ service, table: uniqueName('marks') });
    await createTopic(kafka, topic, 1);
    await pool.query(
      `CREATE TABLE ${effectTable} (event_id text NOT NULL, n int NOT NULL, pid int NOT NULL)`,
    );
    if (withMarks) await marks.migrate(pool);
    cleanup.push(
      () => deleteTopics(kafka, [topic]),
      () => pool.query(`DROP TABLE IF EXISTS ${effectTable}, ${marks.table.sql}`),
    );
    await publishNumbered(topic, 10);

    const config = {
      topic,
      group: service,
      effectTable,
      marksTable: withMarks ? marks.table.table : undefined,
      leaseMs: 1_500,
      marks: markMode,
    };
    const first = new ChildScript(FIXTURE, { ...config, crashAfterEffect: `${topic}-4` });
    children.push(first);
    await first.exit(45_000); // killed itself after event 4's effect committed, before its mark
    const second = new ChildScript(FIXTURE, config);
    children.push(second);
    await waitFor(
      () => groupCaughtUp(kafka, config.group, topic),
      45_000,
      'the restarted consumer to catch up',
    );
    await second.kill('SIGTERM');

    const rows = await pool.query<{ n: number; c: string }>(
      `SELECT n, count(*) AS c FROM ${effectTable} GROUP BY n`,
    );
    return new Map(rows.rows.map((r) => [r.n, Number(r.c)]));
  }

  test('Redis dedup alone, immediate marks: exactly the effect in the window is applied twice', async () => {
    const counts = await crashOnce(false, 'immediate');
    expect(counts.get(4)).toBe(2);
    for (let i = 0; i < 10; i++) if (i !== 4) expect(counts.get(i)).toBe(1);
  });

  test('with PgDedupMarks in the effect transaction (deferred Redis marks): every effect applied exactly once', async () => {
    // Deferred marks widen the Redis window to the whole unflushed batch (events 0–4 here are all
    // handled but unmarked at the crash); the PostgreSQL mark closes it regardless.
    const counts = await crashOnce(true, 'deferred');
    for (let i = 0; i < 10; i++) expect(counts.get(i)).toBe(1);
  });
});
