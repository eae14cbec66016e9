import type { ClientBase, Pool } from 'pg';
import type { OutgoingEventOf } from '../events/envelope';
import { OutboxEncoder, OutboxMessage, OutboxRecord, toOutboxRecord } from './message';
import { inTransaction } from '../pg/transaction';
import { OutboxSql, outboxSql } from './pg-sql';
import { QualifiedTable, qualifiedTable } from './sql-names';

/** Where a PgOutbox keeps its rows and how `add` encodes events. */
export interface PgOutboxOptions {
  /** Default `public`. */
  schema?: string;
  /** Default `troupe_outbox`. */
  table?: string;
  /** The publisher's `toMessage`, so `add(tx, event)` accepts OutgoingEvents. */
  encode?: OutboxEncoder;
  /**
   * NOTIFY the relays on commit (default true). Costs a short commit-time lock that serializes
   * notifying commits; turn off for very high insert rates and rely on polling.
   */
  notify?: boolean;
}

/** An outbox's backlog: what is pending, how old, and what keeps failing. */
export interface OutboxStats {
  pending: number;
  /** Age of the oldest unsent row; null when nothing is pending. */
  oldestUnsentAgeMs: number | null;
  /**
   * PostgreSQL outbox: unsent rows whose last publish failed (Kafka refused them, or the broker was
   * unreachable). Each holds back the later rows of its aggregate until it goes; none is dropped.
   */
  failing?: number;
}

/**
 * The transactional outbox on PostgreSQL: `add(tx, event)` writes the encoded message in the
 * caller's own transaction, so the event exists if and only if the business change committed. The
 * relay (`OutboxRelay`) publishes rows after commit. Typed by an event map
 * (`new PgOutbox<EventTypes>(…)`), `add` accepts only the map's event types with their payloads.
 */
export class PgOutbox<E extends object = Record<string, unknown>> {
  readonly table: QualifiedTable;
  /** The LISTEN/NOTIFY channel: the table's qualified name. */
  readonly channel: string;
  readonly sql: OutboxSql;
  private readonly encode: OutboxEncoder | undefined;
  private readonly notify: boolean;

  constructor(options: PgOutboxOptions = {}) {
    this.table = qualifiedTable(
      options.schema ?? 'public',
      options.table ?? 'troupe_outbox',
      'outbox',
    );
    this.channel = `${this.table.schema}.${this.table.table}`;
    this.sql = outboxSql(this.table);
    this.encode = options.encode;
    this.notify = options.notify ?? true;
  }

  /**
   * Idempotent (IF NOT EXISTS); concurrent runs from several instances serialize on an advisory lock.
   * Upgrades a table made by an older version (adds the failure columns and their index).
   */
  async migrate(pool: Pool): Promise<void> {
    await inTransaction(pool, async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `troupe.migrate:${this.table.sql}`,
      ]);
      for (const statement of this.sql.migration) await tx.query(statement);
    });
  }

  /**
   * Adds one message inside the caller's transaction (`tx` is the PoolClient between its BEGIN and
   * COMMIT). An OutgoingEvent is encoded first; an encoding failure throws before anything is written.
   * Returns the row id.
   */
  async add(tx: ClientBase, input: OutgoingEventOf<E> | OutboxMessage): Promise<string> {
    const record = await toOutboxRecord(input, this.encode);
    const params: unknown[] = rowParams(record);
    if (this.notify) params.push(this.channel);
    const result = await tx.query<{ id: string }>(
      this.notify ? this.sql.insertAndNotify : this.sql.insert,
      params,
    );
    return String(result.rows[0]?.id);
  }

  /** Adds several messages in one statement, in order. Returns their row ids. */
  async addMany(
    tx: ClientBase,
    inputs: readonly (OutgoingEventOf<E> | OutboxMessage)[],
  ): Promise<string[]> {
    if (inputs.length === 0) return [];
    const records = await Promise.all(inputs.map((input) => toOutboxRecord(input, this.encode)));
    const columns: unknown[][] = [[], [], [], [], []];
    for (const record of records) rowParams(record).forEach((value, i) => columns[i]?.push(value));
    const params: unknown[] = columns;
    if (this.notify) params.push(this.channel);
    const result = await tx.query<{ id: string }>(
      this.notify ? this.sql.insertManyAndNotify : this.sql.insertMany,
      params,
    );
    return result.rows.map((row) => String(row.id));
  }

  async stats(pool: Pool | ClientBase): Promise<OutboxStats> {
    const result = await pool.query<{
      pending: string;
      failing: string;
      oldest_ms: number | null;
    }>(this.sql.stats);
    const row = result.rows[0];
    return {
      pending: Number(row?.pending ?? 0),
      failing: Number(row?.failing ?? 0),
      oldestUnsentAgeMs:
        row?.oldest_ms === null || row?.oldest_ms === undefined ? null : Math.max(0, row.oldest_ms),
    };
  }
}

function rowParams(record: OutboxRecord): unknown[] {
  return [
    record.aggregateKey,
    record.topic,
    record.key,
    record.value,
    JSON.stringify(record.headers),
  ];
}
