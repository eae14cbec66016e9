import type { Kafka, Message, Producer } from 'kafkajs';
import type { Pool, PoolClient } from 'pg';
import { ConfigError, toError } from '../errors';
import { StoredHeaders, decodeHeaders } from './message';
import type { OutboxStats, PgOutbox } from './pg-outbox';
import { Wakeup, backoffMs, withTimeout } from './wakeup';

/** A claimed row, as the relay's hooks see it. */
export interface OutboxRow {
  id: string;
  aggregateKey: string;
  topic: string;
  attempts: number;
}

export interface OutboxRelayOptions {
  outbox: PgOutbox;
  pool: Pool;
  /** The relay makes and owns an idempotent producer from this client… */
  kafka?: Kafka;
  /** …or uses yours: connected, `idempotent: true`, `maxInFlightRequests: 1`. */
  producer?: Producer;
  /** Rows per transaction. Default 500. */
  batchSize?: number;
  /**
   * Claim loops in this relay, each with its own transaction, so one loop's PostgreSQL work overlaps
   * another's Kafka send. They keep per-aggregate order exactly as separate relays do. Default 2.
   */
  concurrency?: number;
  /** Polling covers lost notifications and a listener that is reconnecting. Default 1000 ms. */
  pollIntervalMs?: number;
  /** Kafka must acknowledge a batch within this. Default 30 s. */
  publishTimeoutMs?: number;
  /** Sent rows are deleted after this. Default 24 h. */
  retentionMs?: number;
  /** Default 60 s. */
  cleanupIntervalMs?: number;
  /** LISTEN for commits of `add` (default true). */
  listen?: boolean;
  /** After Kafka acknowledged a batch, before its rows are marked sent (logging, metrics). */
  onPublished?: (rows: readonly OutboxRow[]) => void | Promise<void>;
  /** A failed round (it is retried with backoff) or a listener that dropped (it reconnects). */
  onError?: (error: Error) => void;
}

interface ClaimedRow {
  id: string;
  aggregate_key: string;
  topic: string;
  message_key: Buffer | null;
  value: Buffer | null;
  headers: StoredHeaders;
  attempts: number;
}

const CLEANUP_CHUNK = 10_000;

/**
 * Publishes outbox rows after their transaction committed: claims a batch (`FOR UPDATE SKIP
 * LOCKED`, per-aggregate order kept across relays — see the claim SQL), sends it with an idempotent
 * producer (acks=all), marks the rows sent and commits. Several relays may run at once.
 *
 * At-least-once: a relay that dies after Kafka acknowledged and before its commit leaves the rows
 * unsent (its locks go with its connection) and the next relay publishes them again. Consumers
 * dedup by event id (the envelope id travels in the headers). A row Kafka refuses for good (too
 * large) is retried forever and holds back its aggregate: watch `oldestUnsentAgeMs`.
 */
export class OutboxRelay {
  private readonly outbox: PgOutbox;
  private readonly pool: Pool;
  private readonly ownsProducer: boolean;
  private readonly producer: Producer;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly publishTimeoutMs: number;
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
    else if (options.kafka)
      this.producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    else throw new ConfigError('outboxRelay.kafka', 'a Kafka client or an idempotent producer');
    this.ownsProducer = !options.producer;
    this.batchSize = positive('outboxRelay.batchSize', options.batchSize ?? 500);
    this.concurrency = positive('outboxRelay.concurrency', options.concurrency ?? 2);
    this.pollIntervalMs = positive('outboxRelay.pollIntervalMs', options.pollIntervalMs ?? 1_000);
    this.publishTimeoutMs = positive(
      'outboxRelay.publishTimeoutMs',
      options.publishTimeoutMs ?? 30_000,
    );
    this.retentionMs = positive('outboxRelay.retentionMs', options.retentionMs ?? 24 * 3600_000);
    this.cleanupIntervalMs = positive(
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

  /** One claim → publish → mark round. Returns how many rows it published. */
  async relayOnce(): Promise<number> {
    const client = await this.pool.connect();
    let rows: ClaimedRow[] = [];
    let broken: Error | undefined;
    try {
      // A relay that hangs instead of dying still lets go of its rows.
      await client.query(
        `BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${this.publishTimeoutMs + 10_000}; SET LOCAL statement_timeout = 30000`,
      );
      rows = (await client.query<ClaimedRow>(this.outbox.sql.claim, [this.batchSize])).rows;
      if (rows.length > 0) {
        await withTimeout(this.publish(rows), this.publishTimeoutMs, 'outbox relay publish');
        await this.onPublished?.(rows.map(toOutboxRow));
        await client.query(this.outbox.sql.markSent, [rows.map((row) => row.id)]);
      }
      await client.query('COMMIT');
      return rows.length;
    } catch (error) {
      broken = toError(error);
      await client.query('ROLLBACK').catch(() => undefined);
      if (rows.length > 0) {
        await this.pool
          .query(this.outbox.sql.countAttempt, [rows.map((row) => row.id)])
          .catch(() => undefined);
      }
      throw broken;
    } finally {
      client.release(broken);
    }
  }

  private async publish(rows: ClaimedRow[]): Promise<void> {
    // Grouped per topic in id order; kafkajs keeps that order within each partition.
    const byTopic = new Map<string, Message[]>();
    for (const row of rows) {
      let messages = byTopic.get(row.topic);
      if (!messages) byTopic.set(row.topic, (messages = []));
      messages.push({
        key: row.message_key,
        value: row.value,
        headers: decodeHeaders(row.headers),
      });
    }
    await this.producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      acks: -1,
      timeout: this.publishTimeoutMs,
    });
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
        await this.wakeup.wait(backoffMs(failures));
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
        client = await this.pool.connect();
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
      if (!this.stopped) await this.listenerWakeup.wait(backoffMs(++failures, 200, 5_000));
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

function toOutboxRow(row: ClaimedRow): OutboxRow {
  return { id: row.id, aggregateKey: row.aggregate_key, topic: row.topic, attempts: row.attempts };
}

function positive(option: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new ConfigError(option, 'a positive integer', String(value));
  return value;
}
