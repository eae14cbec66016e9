/**
 * A service SIGKILLed three times mid-stream, while the Publisher keeps publishing: the service
 * (a child process, `kit/test/fixtures/dedup-consumer.ts`: `createService` with Redis dedup, each
 * effect an INSERT guarded by PgDedupMarks in its own transaction) is killed at random points and
 * started again at once. Every acknowledged event's effect applied exactly once, in order per
 * key; recovery is the slowest of the three, from a kill to the next life's first effect.
 */
import path from 'node:path';
import { Pool } from 'pg';
import { PgDedupMarks, loadDatabaseConnection } from '@troupe/kit';
import { ChildScript } from '../packages/kit/test/fixtures/dedup-support';
import { report } from './support/figures';
import { createTopic, expectEveryEventOnce, sleep, until, useOwnStack } from './support/scenario';
import { CountedStream } from './support/stream';

jest.setTimeout(300_000);

const ownStack = useOwnStack();

const FIXTURE = path.join(
  __dirname,
  '..',
  'packages',
  'kit',
  'test',
  'fixtures',
  'dedup-consumer.ts',
);

test('a service SIGKILLed three times mid-stream under a live publisher: every effect exactly once, in order', async () => {
  const settings = ownStack().settings;
  const topic = 'faults.service-kill';
  const group = 'faults-service-kill';
  await createTopic(settings, topic, 3);
  const pool = new Pool({ ...loadDatabaseConnection({ ...settings }), max: 2 });
  const marks = new PgDedupMarks({ service: group, table: 'faults_kill_marks' });
  await marks.migrate(pool);
  await pool.query(
    // `applied` numbers effects in commit order, `applied_at` times them.
    `CREATE TABLE faults_kill_effects (applied bigserial, event_id text NOT NULL, n int NOT NULL,
       pid int NOT NULL, applied_at timestamptz NOT NULL DEFAULT clock_timestamp())`,
  );
  const stream = await CountedStream.start(
    { settings, topic, keys: 7, perKey: 1_000, intervalMs: 40, consumer: 'external' },
    'faults-service-kill',
  );
  const lives: ChildScript[] = [];
  const live = () => {
    const child = new ChildScript(FIXTURE, {
      topic,
      group,
      effectTable: 'faults_kill_effects',
      marksTable: marks.table.table,
      leaseMs: 6_000,
    });
    lives.push(child);
    return child;
  };
  // The effects, read back as they land, each counted by the stream once. `applied` is taken at
  // INSERT and the three partitions' transactions commit in any order, so a row may appear below
  // one already read: each read looks back 1,000 rows and skips those it has seen.
  const read = new Set<number>();
  let highest = 0;
  const firstEffectOf = new Map<number, number>();
  const readEffects = async () => {
    const { rows } = await pool.query<{ applied: string; event_id: string; pid: number; at: Date }>(
      'SELECT applied, event_id, pid, applied_at AS at FROM faults_kill_effects WHERE applied > $1 ORDER BY applied',
      [highest - 1_000],
    );
    for (const row of rows) {
      const applied = Number(row.applied);
      if (read.has(applied)) continue;
      read.add(applied);
      highest = Math.max(highest, applied);
      stream.applied(row.event_id, row.at.getTime());
      if (!firstEffectOf.has(row.pid)) firstEffectOf.set(row.pid, row.at.getTime());
    }
  };
  let reading = true;
  const reader = (async () => {
    while (reading) {
      await readEffects();
      await sleep(200);
    }
  })();
  try {
    let child = live();
    stream.publish();
    const kills: { at: number; next: ChildScript }[] = [];
    for (const base of [1_000, 2_500, 4_000]) {
      const threshold = base + Math.floor(Math.random() * 1_000);
      await until(() => stream.handledCount >= threshold, 90_000, `${threshold} effects`);
      await child.kill('SIGKILL');
      if (kills.length === 0) stream.markFault();
      child = live();
      kills.push({ at: Date.now(), next: child });
    }
    await stream.produced();
    await stream.drained(120_000);
    await child.kill('SIGTERM');
    reading = false;
    await reader;
    await readEffects();
    const recoveries = kills.map(
      ({ at, next }) => ((firstEffectOf.get(next.pid ?? -1) ?? Number.NaN) - at) / 1000,
    );
    process.stdout.write(
      `service lives: ${lives.length}; recovery after each kill: ${recoveries.map((r) => `${r.toFixed(1)} s`).join(', ')}; ` +
        `repeats stopped by PgDedupMarks: ${lives.flatMap((c) => c.lines).filter((l) => 'prevented' in l).length}\n`,
    );
    const figures = await stream.figures(
      'service SIGKILLed 3 times mid-stream',
      Math.max(...recoveries),
    );
    report(figures);
    await expectEveryEventOnce(stream, figures);
    expect(lives).toHaveLength(4);
    expect(recoveries.every(Number.isFinite)).toBe(true);
  } finally {
    reading = false;
    await reader.catch(() => undefined);
    for (const child of lives) await child.kill('SIGKILL').catch(() => undefined);
    await stream.stop();
    await pool.end();
  }
});
