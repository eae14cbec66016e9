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
  });

  test('the claim skips locked rows and holds back rows behind an earlier unsent row of their aggregate', () => {
    const claim = outboxSql(table).claim;
    expect(claim).toMatch(/FOR UPDATE SKIP LOCKED/);
    // The blocker: the first unsent row of the aggregate outside this claim, by index probe.
    expect(claim).toMatch(/CROSS JOIN LATERAL/);
    expect(claim).toMatch(/e.id NOT IN \(SELECT id FROM locked\)/);
    expect(claim).toMatch(/WHERE b.blocker IS NULL OR l.id < b.blocker/);
    expect(claim).toMatch(/ORDER BY o.id/);
  });

  test('NOTIFY rides in the insert statement (one round trip)', () => {
    expect(outboxSql(table).insertAndNotify).toMatch(/pg_notify\(\$6, ''\)/);
  });
});
