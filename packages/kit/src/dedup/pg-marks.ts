import type { ClientBase, Pool } from 'pg';
import { qualifiedTable, QualifiedTable } from '../outbox/sql-names';
import { inTransaction } from '../pg/transaction';
import { checkedKey, checkedService } from './keys';

/** Which service the marks belong to and the table that holds them. */
export interface PgDedupMarksOptions {
  service: string;
  /** Default `public`. */
  schema?: string;
  /** Default `troupe_dedup_marks`. */
  table?: string;
}

/**
 * The durable half of exactly-once for effects stored in PostgreSQL: `record(tx, key)` inserts
 * (service, key) in the caller's own transaction and answers whether this is the first time.
 * Apply the effect only when it answers true, in the same transaction; then the effect and its
 * mark commit or roll back together, so no crash, lease expiry or concurrent takeover can apply it
 * twice. A concurrent second `record` of the same key waits on the first transaction's row lock and
 * answers false once the first commits (true if it rolled back).
 *
 * Used behind the Redis DedupStore, which keeps the common path cheap (done events are skipped
 * without a database transaction) and keeps two consumers from working on one event at once.
 */
export class PgDedupMarks {
  readonly table: QualifiedTable;
  private readonly service: string;
  private readonly insertSql: string;

  constructor(options: PgDedupMarksOptions) {
    this.service = checkedService(options.service);
    this.table = qualifiedTable(
      options.schema ?? 'public',
      options.table ?? 'troupe_dedup_marks',
      'dedupMarks',
    );
    this.insertSql = `INSERT INTO ${this.table.sql} (service, key) VALUES ($1, $2) ON CONFLICT DO NOTHING`;
  }

  /** Idempotent; concurrent runs serialize on an advisory lock. */
  async migrate(pool: Pool): Promise<void> {
    await inTransaction(pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `troupe.migrate:${this.table.sql}`,
      ]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS "${this.table.schema}"`);
      await tx.query(
        `CREATE TABLE IF NOT EXISTS ${this.table.sql} (
           service text NOT NULL,
           key text NOT NULL,
           recorded_at timestamptz NOT NULL DEFAULT now(),
           PRIMARY KEY (service, key))`,
      );
      await tx.query(
        `CREATE INDEX IF NOT EXISTS ${this.table.derived('recorded_at_idx')} ON ${this.table.sql} (recorded_at)`,
      );
    });
  }

  /** Must run inside the caller's BEGIN…COMMIT. True: first time, apply the effect now. */
  async record(tx: ClientBase, key: string): Promise<boolean> {
    const result = await tx.query(this.insertSql, [
      this.service,
      checkedKey(key, 'PgDedupMarks.record(key)'),
    ]);
    return result.rowCount === 1;
  }

  /** Deletes marks older than the longest redelivery delay you can get; returns how many. */
  async purgeOlderThan(pool: Pool, ageMs: number): Promise<number> {
    const result = await pool.query(
      `DELETE FROM ${this.table.sql} WHERE service = $1 AND recorded_at < now() - make_interval(secs => $2::double precision / 1000)`,
      [this.service, ageMs],
    );
    return result.rowCount ?? 0;
  }
}
