import type { KafkaDriver } from '../kafka/driver';
import type { RecordProducer } from '../kafka/producer';
import type { Pool, PoolClient } from 'pg';
import { positiveInteger } from '../config/option-checks';
import { ConfigError, toError } from '../errors';
import { checkOutClient } from '../pg/checked-out';
import type { OutboxStats, PgOutbox } from './pg-outbox';
import { ClaimedRow, sendClaimedRows, toOutboxRow } from './pg-send';
import { OutboxPublishError } from './publish-error';
import { fullJitterBackoff } from '../retry/backoff';
import { RELAY_BACKOFF, Wakeup } from './wakeup';

/** A claimed row, as the relay's hooks see it. */
export interface OutboxRow {
  id: string;
  aggregateKey: string;
  topic: string;
  attempts: number;
}

/** What an OutboxRelay reads (the outbox, over the pool) and how it publishes to Kafka. */
export interface OutboxRelayOptions {
  outbox: PgOutbox;
  pool: Pool;
  /** The relay makes and owns a producer of this driver (idempotent, acks=all)… */
  kafka?: KafkaDriver;
  /** …or uses one of yours (a driver's producers are all idempotent). */
  producer?: RecordProducer;
  /** Rows per transaction. Default 500. */
  batchSize?: number;
  /**
   * Claim loops in this relay, each with its own transaction, so one loop's PostgreSQL work overlaps
   * another's Kafka send. They keep per-aggregate order exactly as separate relays do. Default 2.
   */
  concurrency?: number;
  /** Polling covers lost notifications and a listener that is reconnecting. Default 1000 ms. */
  pollIntervalMs?: number;
  /**
   * Kafka must acknowledge a round within this: the batch, and the smaller sends that find a row it
   * refused. Default 30 s.
   */
  publishTimeoutMs?: number;
  /**
   * A row Kafka refused waits this long before it is tried again, doubling with each attempt up to
   * `failedRowRetryMaxMs`; the later rows of its aggregate wait behind it. Default 1000 ms.
   */
  failedRowRetryMs?: number;
  /** Default 30 s. Also bounds how long rows tried during a broker outage wait after it ends. */
  failedRowRetryMaxMs?: number;
  /** Sent rows are deleted after this. Default 24 h. */
  retentionMs?: number;
  /** Default 60 s. */
  cleanupIntervalMs?: number;
  /** LISTEN for commits of `add` (default true). */
  listen?: boolean;
  /** After Kafka acknowledged a batch, before its rows are marked sent (logging, metrics). */
  onPublished?: (rows: readonly OutboxRow[]) => void | Promise<void>;
  /**
   * A failed round (it is retried with backoff), rows Kafka refused (an OutboxPublishError naming
   * them; they are retried later) or a listener that dropped (it reconnects).
   */
  onError?: (error: Error) => void;
}

/** Reconnects of the LISTEN connection back off from 400 ms: polling covers the gap meanwhile. */
const LISTEN_BACKOFF = { ...RELAY_BACKOFF, baseMs: 400 };

const CLEANUP_CHUNK = 10_000;
/** `last_error` keeps the start of the message: enough to act on, bounded in size. */
const LAST_ERROR_CHARS = 1_000;

/**
 * Publishes outbox rows after their transaction committed: claims a batch (`FOR UPDATE SKIP
 * LOCKED`, per-aggregate order kept across relays — see the claim SQL), sends it with an idempotent
 * producer (acks=all), marks the rows sent and commits. Several relays may run at once.
 *
 * At-least-once: a relay that dies after Kafka acknowledged and before its commit leaves the rows
 * unsent (its locks go with its connection) and the next relay publishes them again. Consumers
 * dedup by event id (the envelope id travels in the headers).
 *
 * A row Kafka refuses (too large for the topic, topic missing, not authorized) stops only its own
 * aggregate: the relay sends the batch again in parts to find it (failure-isolation.ts), publishes
 * every other aggregate and the rows before it, and marks it failed (`attempts`, `last_error`,
 * `next_attempt_at`), reporting an OutboxPublishError to `onError`. It and the later rows of its
 * aggregate then wait (`failedRowRetryMs`, doubling up to `failedRowRetryMaxMs`) while the claim
 * passes them by, so other aggregates keep flowing. It is never dropped: it is tried again until it
 * goes — after the topic is fixed, say; to give up on it, an operator sets its `sent_at` (its
 * aggregate's later rows then follow). Alert on `failing` (troupe_outbox_failing) and on
 * `oldestUnsentAgeMs`. A broker outage fails the rows tried meanwhile the same way, so they may
 * wait up to `failedRowRetryMaxMs` after it ends.
 *
 * Tracing: a row keeps the trace context `add` ran in (the envelope's `traceparent`). With an
 * OpenTelemetry SDK registered, each row is sent in a PRODUCER span `send <topic>`, a child of that
 * context and linked to it, and goes out with the span's context as its `traceparent`, so the flow
 * that added the row and the consumers of the event are one trace.
 */
export class OutboxRelay {
  private readonly outbox: PgOutbox;
  private readonly pool: Pool;
  private readonly ownsProducer: boolean;
  private readonly producer: RecordProducer;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private readonly failedRowRetryMs: number;
  private readonly failedRowRetryMaxMs: number;
  private readonly retentionMs: number;
  private readonly cleanupIntervalMs: number;
  private readonly listenEnabled: boolean;
  private readonly onPublished: OutboxRelayOptions['onPublished'];
  private readonly onError: (error: Error) => void;
  private readonly wakeup = new Wakeup();
  private readonly listenerWakeup = new Wakeup();
  private stopped = true;
  private loops: Promise<void>[] = [];
  private stopListener: (() => void) | undefined;
  private cleanupTimer: NodeJS.Timeout | undefined;
  private cleaning = false;

  constructor(options: OutboxRelayOptions) {
    this.outbox = options.outbox;
    this.pool = options.pool;
    if (options.producer) this.producer = options.producer;
    else if (options.kafka) this.producer = options.kafka.producer();
    else throw new ConfigError('outboxRelay.kafka', 'a Kafka driver or a producer');
    this.ownsProducer = !options.producer;
    this.batchSize = positiveInteger('outboxRelay.batchSize', options.batchSize ?? 500);
    this.concurrency = positiveInteger('outboxRelay.concurrency', options.concurrency ?? 2);
    this.pollIntervalMs = positiveInteger(
      'outboxRelay.pollIntervalMs',
      options.pollIntervalMs ?? 1_000,
    );
    this.publishTimeoutMs = positiveInteger(
      'outboxRelay.publishTimeoutMs',
      options.publishTimeoutMs ?? 30_000,
    );
    this.failedRowRetryMs = positiveInteger(
      'outboxRelay.failedRowRetryMs',
      options.failedRowRetryMs ?? 1_000,
    );
    this.failedRowRetryMaxMs = positiveInteger(
      'outboxRelay.failedRowRetryMaxMs',
      options.failedRowRetryMaxMs ?? 30_000,
    );
    if (this.failedRowRetryMaxMs < this.failedRowRetryMs)
      throw new ConfigError(
        'outboxRelay.failedRowRetryMaxMs',
        `at least failedRowRetryMs (${this.failedRowRetryMs})`,
        String(this.failedRowRetryMaxMs),
      );
    this.retentionMs = positiveInteger(
      'outboxRelay.retentionMs',
      options.retentionMs ?? 24 * 3600_000,
    );
    this.cleanupIntervalMs = positiveInteger(
      'outboxRelay.cleanupIntervalMs',
      options.cleanupIntervalMs ?? 60_000,
    );
    this.listenEnabled = options.listen ?? true;
    this.onPublished = options.onPublished;
    this.onError = options.onError ?? (() => undefined);
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    if (this.ownsProducer) await this.producer.connect();
    this.stopped = false;
    this.loops = Array.from({ length: this.concurrency }, () => this.relayLoop());
    if (this.listenEnabled) this.loops.push(this.listenLoop());
    this.cleanupTimer = setInterval(() => void this.cleanup(), this.cleanupIntervalMs);
    this.cleanupTimer.unref();
  }

  /** Finishes the batch in flight, then stops; no row is left half-done (it is sent or still unsent). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.cleanupTimer);
    this.wakeup.notify();
    this.stopListener?.();
    this.listenerWakeup.notify();
    await Promise.all(this.loops);
    if (this.ownsProducer) await this.producer.disconnect();
  }

  stats(): Promise<OutboxStats> {
    return this.outbox.stats(this.pool);
  }

  /**
   * One claim → publish → mark round. Returns how many rows it published. Throws if the round failed
   * or Kafka took none of the rows (an OutboxPublishError: the broker may be down).
   */
  async relayOnce(): Promise<number> {
    const client = await checkOutClient(this.pool);
    let rows: ClaimedRow[] = [];
    let published: ClaimedRow[] = [];
    let refused: OutboxPublishError | undefined;
    try {
      // A relay that hangs instead of dying still lets go of its rows. No JIT: the claim's cost
      // estimate can pass jit_above_cost, and compiling costs far more than the claim itself.
      await client.query(
        `BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${this.publishTimeoutMs + 10_000}; SET LOCAL statement_timeout = 30000; SET LOCAL jit = off`,
      );
      rows = (await client.query<ClaimedRow>(this.outbox.sql.claim, [this.batchSize])).rows;
      if (rows.length > 0) {
        const outcome = await sendClaimedRows(this.producer, rows, this.publishTimeoutMs);
        published = outcome.published;
        if (published.length > 0) {
          await this.onPublished?.(published.map(toOutboxRow));
          await client.query(this.outbox.sql.markSent, [published.map((row) => row.id)]);
        }
        if (outcome.failed.length > 0) {
          await client.query(this.outbox.sql.markFailed, [
            outcome.failed.map(({ row }) => row.id),
            outcome.failed.map(({ error }) =>
              `${error.name}: ${error.message}`.slice(0, LAST_ERROR_CHARS),
            ),
            this.failedRowRetryMs,
            this.failedRowRetryMaxMs,
          ]);
          refused = new OutboxPublishError(
            outcome.failed.map(({ row, error }) => ({ row: toOutboxRow(row), error })),
          );
        }
      }
      await client.query('COMMIT');
    } catch (error) {
      const broken = toError(error);
      // The session is destroyed, and its transaction with it, rather than rolled back: after a
      // query timeout or a broken connection a ROLLBACK would only wait out query_timeout again.
      // Before countAttempt, which needs the rows' locks.
      client.release(broken);
      if (rows.length > 0) {
        await this.pool
          .query(this.outbox.sql.countAttempt, [rows.map((row) => row.id)])
          .catch(() => undefined);
      }
      throw broken;
    }
    client.release();
    if (refused) {
      // Nothing went at all: as likely a broker outage as bad rows; the loop backs off.
      if (published.length === 0) throw refused;
      this.onError(refused);
    }
    return published.length;
  }

  private async relayLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let published = 0;
      try {
        published = await this.relayOnce();
        failures = 0;
      } catch (error) {
        this.onError(toError(error));
        failures += 1;
        await this.wakeup.wait(fullJitterBackoff(failures, RELAY_BACKOFF));
        continue;
      }
      // A full or partial batch: there may be more right now. Nothing: sleep until NOTIFY or poll.
      if (published === 0) await this.wakeup.wait(this.pollIntervalMs);
    }
  }

  /** Keeps one connection LISTENing; reconnects after it drops (polling covers the gap). */
  private async listenLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let client: PoolClient | undefined;
      try {
        client = await checkOutClient(this.pool);
        const closed = new Promise<Error | undefined>((resolve) => {
          client?.once('error', resolve);
          client?.once('end', () => resolve(new Error('listener connection ended')));
          this.stopListener = () => resolve(undefined);
          if (this.stopped) resolve(undefined);
        });
        client.on('notification', (message) => {
          if (message.channel === this.outbox.channel) this.wakeup.notify();
        });
        await client.query(`LISTEN "${this.outbox.channel}"`);
        failures = 0;
        this.wakeup.notify(); // rows added while nobody listened
        const error = await closed;
        if (error) this.onError(error);
      } catch (error) {
        this.onError(toError(error));
      } finally {
        client?.removeAllListeners('notification');
        // Destroyed, never returned to the pool: it is still LISTENing.
        client?.release(true);
        this.stopListener = undefined;
      }
      if (!this.stopped)
        await this.listenerWakeup.wait(fullJitterBackoff(++failures, LISTEN_BACKOFF));
    }
  }

  private async cleanup(): Promise<void> {
    if (this.cleaning) return;
    this.cleaning = true;
    try {
      let deleted = CLEANUP_CHUNK;
      while (deleted === CLEANUP_CHUNK) {
        const result = await this.pool.query(this.outbox.sql.cleanup, [
          this.retentionMs,
          CLEANUP_CHUNK,
        ]);
        deleted = result.rowCount ?? 0;
      }
    } catch (error) {
      this.onError(toError(error));
    } finally {
      this.cleaning = false;
    }
  }

  /** Deletes sent rows past retention now (also runs every `cleanupIntervalMs`). */
  runCleanup(): Promise<void> {
    return this.cleanup();
  }
}

/** Starts a relay inside a service or as its own process; `stop()` finishes the batch in flight. */
export async function runOutboxRelay(options: OutboxRelayOptions): Promise<OutboxRelay> {
  const relay = new OutboxRelay(options);
  await relay.start();
  return relay;
}
