/**
 * 10,000 events; the consumer — a Troupe service declaring dedup, in a child process — is
 * SIGKILLed at random points three times and restarted. Its handler applies each event's effect as an INSERT into a table with no unique
 * constraint. Redis dedup in front, PgDedupMarks in the effect's transaction: every event's effect
 * must be applied exactly once — counted, per event id.
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

jest.setTimeout(115_000);

const FIXTURE = path.join(__dirname, 'fixtures', 'dedup-consumer.ts');
const EVENTS = 10_000;

describe('exactly-once effects across SIGKILL', () => {
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

  test(`${EVENTS} events, consumer killed 3 times mid-stream: each effect applied exactly once, in order per key`, async () => {
    const topic = uniqueName('dedup_kill');
    const service = uniqueName('svc'); // also its consumer group
    const effectTable = uniqueName('effects');
    const marks = new PgDedupMarks({ service, table: uniqueName('marks') });
    await createTopic(kafka, topic, 3);
    await pool.query(
      // `applied` numbers effects in commit order: order per key is checked on it.
      `CREATE TABLE ${effectTable} (applied bigserial, event_id text NOT NULL, n int NOT NULL, pid int NOT NULL)`,
    );
    await marks.migrate(pool);
    cleanup.push(
      () => deleteTopics(kafka, [topic]),
      () => pool.query(`DROP TABLE IF EXISTS ${effectTable}, ${marks.table.sql}`),
    );

    await publishNumbered(topic, EVENTS, (i) => `k${i % 97}`);

    const config = {
      topic,
      group: service,
      effectTable,
      marksTable: marks.table.table,
      leaseMs: 6_000,
    };
    const start = () => {
      const child = new ChildScript(FIXTURE, config);
      children.push(child);
      return child;
    };
    const applied = async () =>
      Number((await pool.query(`SELECT count(*) AS n FROM ${effectTable}`)).rows[0].n);

    let child = start();
    // Random kill points spread over the stream; each lands wherever the consumer happens to be.
    const killAt = [1_000, 4_000, 7_000].map((base) => base + Math.floor(Math.random() * 1_500));
    for (const threshold of killAt) {
      await waitFor(async () => (await applied()) >= threshold, 60_000, `${threshold} effects`);
      await child.kill('SIGKILL');
      child = start();
    }
    await waitFor(
      async () => (await applied()) >= EVENTS && (await groupCaughtUp(kafka, config.group, topic)),
      80_000,
      'all events',
    );
    await child.kill('SIGTERM');

    const counts = await pool.query<{ event_id: string; n: string }>(
      `SELECT event_id, count(*) AS n FROM ${effectTable} GROUP BY event_id HAVING count(*) <> 1`,
    );
    const distinct = Number(
      (await pool.query(`SELECT count(DISTINCT event_id) AS n FROM ${effectTable}`)).rows[0].n,
    );
    const lines = children.flatMap((c) => c.lines);
    const prevented = lines.filter((l) => 'prevented' in l).length;
    const skipped = lines.filter((l) => 'skipped' in l).length;
    console.log(
      `dedup-kill: killed at ${killAt.join(', ')} applied effects; redeliveries skipped by Redis (done): ${skipped}; stopped by PgDedupMarks: ${prevented}; ` +
        `lives: ${children.length}`,
    );
    // Order per key across three deaths: each key's effects were applied in publish order.
    const outOfOrder = await pool.query(
      `SELECT count(*) AS n FROM (SELECT n, lag(n) OVER (PARTITION BY n % 97 ORDER BY applied) AS previous FROM ${effectTable}) s WHERE previous > n`,
    );
    expect(Number(outOfOrder.rows[0].n)).toBe(0);
    expect(counts.rows).toEqual([]); // no event applied twice
    expect(distinct).toBe(EVENTS); // none missing
    expect(await applied()).toBe(EVENTS);
    expect(children.length).toBe(4);
    // Both layers did their part: Redis skipped redelivered events already done (without it every
    // redelivery would reach PostgreSQL), and PgDedupMarks stopped the few whose effect committed
    // but whose Redis mark died with the process (the window Redis alone cannot close).
    expect(skipped).toBeGreaterThan(0);
    expect(prevented).toBeLessThan(skipped);
  });
});
