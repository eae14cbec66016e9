import { ConfigError } from '../errors';
import { outboxSql } from './pg-sql';
import { qualifiedTable } from './sql-names';

describe('outbox SQL', () => {
  const table = qualifiedTable('app', 'troupe_outbox', 'outbox');

  test('names are schema-qualified and quoted; index names derive from the table', () => {
    expect(table.sql).toBe('"app"."troupe_outbox"');
    expect(table.derived('unsent_idx')).toBe('"troupe_outbox_unsent_idx"');
  });

  test('only plain identifiers are accepted (they are interpolated into SQL)', () => {
    expect(() => qualifiedTable('public', 'x"; drop table y; --', 'outbox')).toThrow(ConfigError);
    expect(() => qualifiedTable('Public', 'ok', 'outbox')).toThrow(/outbox.schema/);
    expect(() => qualifiedTable('public', 'a'.repeat(41), 'outbox')).toThrow(/at most 40/);
  });

  test('the migration is idempotent and indexes unsent rows partially', () => {
    const sql = outboxSql(table).migration;
    for (const statement of sql) expect(statement).toMatch(/IF NOT EXISTS/);
    expect(sql.join('\n')).toMatch(/ON "app"."troupe_outbox" \(id\) WHERE sent_at IS NULL/);
    expect(sql.join('\n')).toMatch(/\(aggregate_key, id\) WHERE sent_at IS NULL/);
    expect(sql.join('\n')).toMatch(
      /"troupe_outbox_failing_idx" ON "app"."troupe_outbox" \(aggregate_key, id\) WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL/,
    );
  });

  test('tables made before the failure columns get them, without an exclusive lock when they are there', () => {
    const upgrade = outboxSql(table).migration.find((statement) => statement.startsWith('DO'));
    expect(upgrade).toMatch(/IF NOT EXISTS \(SELECT 1 FROM pg_attribute/);
    expect(upgrade).toMatch(/'"app"."troupe_outbox"'::regclass AND attname = 'next_attempt_at'/);
    expect(upgrade).toMatch(/ADD COLUMN IF NOT EXISTS last_error text/);
    expect(upgrade).toMatch(/ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz/);
  });

  test('the claim skips locked rows and holds back rows behind an earlier unsent row of their aggregate', () => {
    const claim = outboxSql(table).claim;
    expect(claim).toMatch(/FOR UPDATE OF c SKIP LOCKED/);
    // The blocker: the first unsent row of the aggregate outside this claim, by index probe.
    expect(claim).toMatch(/CROSS JOIN LATERAL/);
    expect(claim).toMatch(/e.id NOT IN \(SELECT id FROM locked\)/);
    expect(claim).toMatch(/WHERE b.blocker IS NULL OR l.id < b.blocker/);
    expect(claim).toMatch(/ORDER BY o.id/);
  });

  test('the claim passes by aggregates held back by a failed row before LIMIT counts their rows', () => {
    const claim = outboxSql(table).claim;
    const held = claim.indexOf('OR NOT EXISTS');
    // Only when a failed row waits at all: one uncorrelated check per claim guards the per-row probe.
    expect(claim).toMatch(
      /AND \(NOT \(SELECT EXISTS \([\s\S]*?w\.next_attempt_at > now\(\)\)\)\s+OR NOT EXISTS/,
    );
    expect(claim).toMatch(/f.id <= c.id\s+OFFSET 0\)/); // a per-row probe, never an anti join
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThan(claim.indexOf('LIMIT $1'));
    expect(claim).toMatch(/f.next_attempt_at > now\(\)\s+AND f.id <= c.id/);
  });

  test('a failed row records its error and waits base · 2^attempts, capped', () => {
    const markFailed = outboxSql(table).markFailed;
    expect(markFailed).toMatch(/attempts = o.attempts \+ 1, last_error = f.error/);
    expect(markFailed).toMatch(
      /least\(\$4::double precision, \$3::double precision \* 2 \^ least\(o.attempts, 20\)\)/,
    );
    expect(markFailed).toMatch(/o.sent_at IS NULL/);
  });

  test('NOTIFY rides in the insert statement (one round trip)', () => {
    expect(outboxSql(table).insertAndNotify).toMatch(/pg_notify\(\$6, ''\)/);
  });
});
