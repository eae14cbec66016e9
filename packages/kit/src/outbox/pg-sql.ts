import type { QualifiedTable } from './sql-names';

/**
 * The outbox's SQL, built once per table. Pure strings: the relay and the outbox only bind values.
 */
export interface OutboxSql {
  migration: string[];
  insert: string;
  insertAndNotify: string;
  insertMany: string;
  insertManyAndNotify: string;
  claim: string;
  markSent: string;
  markFailed: string;
  countAttempt: string;
  cleanup: string;
  stats: string;
}

export function outboxSql(t: QualifiedTable): OutboxSql {
  const insertOne = `INSERT INTO ${t.sql} (aggregate_key, topic, message_key, value, headers)
    VALUES ($1, $2, $3, $4, $5) RETURNING id`;
  const insertMany = `INSERT INTO ${t.sql} (aggregate_key, topic, message_key, value, headers)
    SELECT m.aggregate_key, m.topic, m.message_key, m.value, m.headers
    FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bytea[], $5::jsonb[])
    WITH ORDINALITY AS m(aggregate_key, topic, message_key, value, headers, n) ORDER BY n RETURNING id`;
  return {
    migration: [
      `CREATE SCHEMA IF NOT EXISTS "${t.schema}"`,
      `CREATE TABLE IF NOT EXISTS ${t.sql} (
        id bigserial PRIMARY KEY,
        aggregate_key text NOT NULL,
        topic text NOT NULL,
        message_key bytea,
        value bytea,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz)`,
      // Tables created before the failure columns existed. Looked up first, because ALTER TABLE
      // takes an exclusive lock on the table even when there is nothing to add.
      `DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_attribute
            WHERE attrelid = '${t.sql}'::regclass AND attname = 'next_attempt_at' AND NOT attisdropped) THEN
          ALTER TABLE ${t.sql}
            ADD COLUMN IF NOT EXISTS last_error text,
            ADD COLUMN IF NOT EXISTS next_attempt_at timestamptz;
        END IF;
      END $$`,
      // The relay's scan: unsent rows in id order, small however large the sent history grows.
      `CREATE INDEX IF NOT EXISTS ${t.derived('unsent_idx')} ON ${t.sql} (id) WHERE sent_at IS NULL`,
      // The per-aggregate order check: earlier unsent rows of the same key.
      `CREATE INDEX IF NOT EXISTS ${t.derived('unsent_aggregate_idx')} ON ${t.sql} (aggregate_key, id) WHERE sent_at IS NULL`,
      // The claim's "is this aggregate held back by a failed row" probe: only failed unsent rows, so tiny.
      `CREATE INDEX IF NOT EXISTS ${t.derived('failing_idx')} ON ${t.sql} (aggregate_key, id) WHERE sent_at IS NULL AND next_attempt_at IS NOT NULL`,
      // Retention cleanup.
      `CREATE INDEX IF NOT EXISTS ${t.derived('sent_at_idx')} ON ${t.sql} (sent_at) WHERE sent_at IS NOT NULL`,
    ],
    insert: insertOne,
    // NOTIFY is queued by the transaction and delivered only if it commits: a rolled-back add wakes nobody.
    insertAndNotify: `WITH inserted AS (${insertOne}) SELECT id, pg_notify($6, '') FROM inserted`,
    insertMany,
    insertManyAndNotify: `WITH inserted AS (${insertMany}) SELECT id, pg_notify($6, '') FROM inserted`,
    claim: claimSql(t),
    markSent: `UPDATE ${t.sql} SET sent_at = clock_timestamp(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])`,
    // The row waits failedRowRetryMs · 2^attempts (capped) before it is claimed again; so do the
    // later rows of its aggregate. Other aggregates are claimed past it.
    markFailed: `UPDATE ${t.sql} AS o SET attempts = o.attempts + 1, last_error = f.error,
        next_attempt_at = clock_timestamp() + make_interval(secs =>
          least($4::double precision, $3::double precision * 2 ^ least(o.attempts, 20)) / 1000)
      FROM unnest($1::bigint[], $2::text[]) AS f(id, error)
      WHERE o.id = f.id AND o.sent_at IS NULL`,
    countAttempt: `UPDATE ${t.sql} SET attempts = attempts + 1 WHERE id = ANY($1::bigint[]) AND sent_at IS NULL`,
    cleanup: `DELETE FROM ${t.sql} WHERE id IN (
        SELECT id FROM ${t.sql}
        WHERE sent_at IS NOT NULL AND sent_at < clock_timestamp() - make_interval(secs => $1::double precision / 1000)
        LIMIT $2 FOR UPDATE SKIP LOCKED)`,
    stats: `SELECT count(*)::bigint AS pending,
        count(*) FILTER (WHERE next_attempt_at IS NOT NULL)::bigint AS failing,
        (EXTRACT(EPOCH FROM clock_timestamp() - min(created_at)) * 1000)::double precision AS oldest_ms
      FROM ${t.sql} WHERE sent_at IS NULL`,
  };
}

/**
 * Claims up to $1 unsent rows that may be published now, in id order, keeping per-aggregate order
 * with any number of relays.
 *
 * FOR UPDATE SKIP LOCKED alone is not enough: while relay A holds row 3 of key K (publishing it),
 * relay B would skip row 3 and take row 5 of K, and could publish 5 before A publishes 3. So a row
 * is published only if no earlier unsent row of the same aggregate exists outside this claim — an
 * earlier row that another relay holds (skipped), or one beyond our LIMIT, holds the later rows back
 * until it is sent. Why that is enough: the earlier row stays unsent until its relay commits
 * `sent_at`, and the check reads committed state, so B sees it unsent for as long as A may still be
 * publishing it; once B sees it sent, A's publish was acknowledged by Kafka before that commit.
 * Rows held back stay locked by us until our commit, which only delays them.
 *
 * Order is the order of commit for rows of one aggregate (row ids of concurrent transactions may
 * commit out of order; a row not yet committed is invisible and cannot be waited for). Business
 * transactions that lock the aggregate (they should) commit its rows in id order.
 *
 * A row whose publish failed (markFailed) waits until its `next_attempt_at`, and so do the later
 * rows of its aggregate. They are filtered out before LIMIT counts them: otherwise an aggregate
 * stuck behind a row Kafka refuses, with a batch of rows behind it, would fill every relay's batch
 * with rows that cannot go, and no other aggregate would be published. The filter is one probe of
 * the tiny failing-rows index per scanned row; the scan still walks past the held rows (about a
 * microsecond each: 20,000 of them add some 20 ms to a claim), so its cost grows with the rows
 * waiting behind failed ones, not with the rest of the backlog.
 */
function claimSql(t: QualifiedTable): string {
  // For each aggregate in the claim, its first unsent row outside the claim (the "blocker"): one
  // probe of the (aggregate_key, id) partial index per aggregate, so the cost follows the batch,
  // never the backlog. A claimed row may go only if it comes before its aggregate's blocker.
  // The held check runs only when some row is waiting after a failure: the uncorrelated EXISTS is
  // evaluated once per claim (an InitPlan) and, false in the normal case, short-circuits the OR,
  // so a healthy outbox pays no probe per row.
  // The held check's OFFSET 0 keeps it a subquery run per scanned row (one probe of the failing
  // index). Without it PostgreSQL makes it an anti join and, underestimating the failed rows,
  // compares each scanned row with all of them: 0.5 s a claim with 1,000 failed aggregates.
  // A failed row still waiting is never locked, so it is the blocker of any row of its aggregate
  // that another relay's older snapshot let into the claim.
  return `WITH locked AS MATERIALIZED (
      SELECT c.id, c.aggregate_key FROM ${t.sql} c
      WHERE c.sent_at IS NULL
        AND (NOT (SELECT EXISTS (
              SELECT 1 FROM ${t.sql} w
              WHERE w.sent_at IS NULL AND w.next_attempt_at IS NOT NULL AND w.next_attempt_at > now()))
          OR NOT EXISTS (
            SELECT 1 FROM ${t.sql} f
            WHERE f.aggregate_key = c.aggregate_key
              AND f.sent_at IS NULL
              AND f.next_attempt_at IS NOT NULL
              AND f.next_attempt_at > now()
              AND f.id <= c.id
            OFFSET 0))
      ORDER BY c.id
      LIMIT $1
      FOR UPDATE OF c SKIP LOCKED),
    blockers AS (
      SELECT k.aggregate_key, b.id AS blocker
      FROM (SELECT DISTINCT aggregate_key FROM locked) k
      CROSS JOIN LATERAL (
        SELECT e.id FROM ${t.sql} e
        WHERE e.aggregate_key = k.aggregate_key
          AND e.sent_at IS NULL
          AND e.id NOT IN (SELECT id FROM locked)
        ORDER BY e.id
        LIMIT 1) b)
    SELECT o.id::text AS id, o.aggregate_key, o.topic, o.message_key, o.value, o.headers, o.attempts
    FROM locked l
    JOIN ${t.sql} o ON o.id = l.id
    LEFT JOIN blockers b ON b.aggregate_key = l.aggregate_key
    WHERE b.blocker IS NULL OR l.id < b.blocker
    ORDER BY o.id`;
}
