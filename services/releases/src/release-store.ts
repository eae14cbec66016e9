import { ConfigError, inTransaction, OutboxEncoder, OutgoingEvent, PgOutbox } from '@troupe/kit';
import type { Pool, PoolClient } from 'pg';
import { ReleaseEvent, ReleaseView, projectRelease } from './projection';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The releases service's tables, in one PostgreSQL schema (TROUPE_RELEASES_DB_SCHEMA):
 * `releases` (one row per release, its projected view as JSON) and the kit's outbox table.
 */
export class ReleaseStore {
  readonly outbox: PgOutbox;
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    readonly schema: string,
    encode: OutboxEncoder,
  ) {
    if (!IDENTIFIER.test(schema))
      throw new ConfigError(
        'TROUPE_RELEASES_DB_SCHEMA',
        'a lowercase SQL identifier (letters, digits, _)',
        schema,
      );
    this.table = `"${schema}"."releases"`;
    this.outbox = new PgOutbox({ schema, encode });
  }

  async migrate(): Promise<void> {
    await this.inTransaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `troupe.releases.migrate:${this.schema}`,
      ]);
      await tx.query(`CREATE SCHEMA IF NOT EXISTS "${this.schema}"`);
      await tx.query(`CREATE TABLE IF NOT EXISTS ${this.table} (
        release_id text PRIMARY KEY,
        service text NOT NULL,
        version text NOT NULL,
        state text NOT NULL,
        view jsonb NOT NULL,
        idempotency_key text UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now())`);
      await tx.query(
        `CREATE INDEX IF NOT EXISTS releases_service_created_idx ON ${this.table} (service, created_at DESC)`,
      );
    });
    await this.outbox.migrate(this.pool);
  }

  /**
   * Stores the release and its ReleaseRequested event in ONE transaction: the event exists if and
   * only if the release does. With an idempotency key already used, nothing is written and the
   * existing release comes back (`created: false`).
   */
  async create(
    view: ReleaseView,
    event: OutgoingEvent,
    idempotencyKey?: string,
  ): Promise<{ created: boolean; view: ReleaseView }> {
    return this.inTransaction(async (tx) => {
      const inserted = await tx.query(
        `INSERT INTO ${this.table} (release_id, service, version, state, view, idempotency_key) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (idempotency_key) DO NOTHING`,
        [
          view.releaseId,
          view.service,
          view.version,
          view.state,
          JSON.stringify(view),
          idempotencyKey ?? null,
        ],
      );
      if (inserted.rowCount === 0) {
        const existing = await tx.query<{ view: ReleaseView }>(
          `SELECT view FROM ${this.table} WHERE idempotency_key = $1`,
          [idempotencyKey],
        );
        return { created: false, view: existing.rows[0]?.view as ReleaseView };
      }
      await this.outbox.add(tx, event);
      return { created: true, view };
    });
  }

  /** Applies a consumed event to its release's row (locked, so concurrent consumers serialize). */
  async apply(event: ReleaseEvent): Promise<ReleaseView> {
    return this.inTransaction(async (tx) => {
      const releaseId = event.payload.releaseId;
      const found = await tx.query<{ view: ReleaseView }>(
        `SELECT view FROM ${this.table} WHERE release_id = $1 FOR UPDATE`,
        [releaseId],
      );
      const current = found.rows[0]?.view;
      const next = projectRelease(current, event);
      if (next === current) return next;
      await tx.query(
        `INSERT INTO ${this.table} (release_id, service, version, state, view) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (release_id) DO UPDATE SET state = EXCLUDED.state, view = EXCLUDED.view, updated_at = now()`,
        [releaseId, next.service, next.version, next.state, JSON.stringify(next)],
      );
      return next;
    });
  }

  async get(releaseId: string): Promise<ReleaseView | undefined> {
    const found = await this.pool.query<{ view: ReleaseView }>(
      `SELECT view FROM ${this.table} WHERE release_id = $1`,
      [releaseId],
    );
    return found.rows[0]?.view;
  }

  async list(options: { service?: string; limit: number }): Promise<ReleaseView[]> {
    const found = options.service
      ? await this.pool.query<{ view: ReleaseView }>(
          `SELECT view FROM ${this.table} WHERE service = $1 ORDER BY created_at DESC LIMIT $2`,
          [options.service, options.limit],
        )
      : await this.pool.query<{ view: ReleaseView }>(
          `SELECT view FROM ${this.table} ORDER BY created_at DESC LIMIT $1`,
          [options.limit],
        );
    return found.rows.map((row) => row.view);
  }

  private inTransaction<T>(work: (tx: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }
}
