import { randomUUID } from 'node:crypto';
import { headerString, type KafkaDriver } from '@troupe/kit';
import {
  type ConsumedRecord,
  type GroupConsumer,
  type KafkaAdmin,
  type RecordBatch,
  type RecordProducer,
} from '@troupe/kit/internal';
import type { Logger } from 'pino';
import { storeError, storeTimeout } from '../errors';
import type { ApplyOutcome } from './schema-store';

/**
 * The `_schemas` topic as a replicated log: one partition (a total order every instance sees the
 * same), compacted, read from the beginning by every instance.
 *
 * - `catchUp()` asks the broker for the partition's end offset and waits until the reader has applied
 *   every record before it: after it returns, local state reflects every write acknowledged before
 *   the call began (read-your-writes across instances).
 * - `append()` produces records (acks=all) and waits until the reader has applied *them*, returning
 *   what applying each one decided. Each record carries a unique write token in a header, so the
 *   outcome of this instance's own record is known even when another instance wrote an identical one.
 *
 * The reader is a group consumer in a group of its own that never commits: after a restart or a
 * rebalance it reads from the beginning again, and records it already applied (offset below
 * `nextOffset`) are skipped, so each record is applied exactly once, in order.
 */

export interface KafkaLogOptions {
  /** The registry's Kafka client (see registry-driver.ts). */
  readonly driver: KafkaDriver;
  readonly topic: string;
  readonly logger: Logger;
  /** Longest wait for a catch-up or for a write to come back through the reader. Default 10 s. */
  readonly operationTimeoutMs?: number;
}

export interface AppendRecord {
  readonly key: string;
  readonly value: string | null;
}

/** Applies one record to local state; must not throw for bad input (return 'ignored'). */
export type RecordHandler = (
  key: string | null,
  value: string | null,
  offset: number,
) => ApplyOutcome;

const TOKEN_HEADER = 'troupe-registry-write';

interface OffsetWaiter {
  readonly target: number;
  readonly resolve: () => void;
}

export class KafkaLog {
  private readonly admin: KafkaAdmin;
  private readonly producer: RecordProducer;
  private readonly consumer: GroupConsumer;
  private readonly logger: Logger;
  private readonly timeoutMs: number;
  private readonly instanceId = randomUUID();
  private writeSequence = 0;
  /** Offset of the next record to apply: every record below it has been applied. */
  private nextOffset = 0;
  private readonly offsetWaiters = new Set<OffsetWaiter>();
  private readonly pendingWrites = new Map<string, (outcome: ApplyOutcome) => void>();
  private endOffsetQuery: Promise<number> | undefined;
  private queuedEndOffsetQuery: Promise<number> | undefined;
  private closed = false;

  private constructor(
    private readonly options: KafkaLogOptions,
    private readonly handler: RecordHandler,
  ) {
    this.logger = options.logger;
    this.timeoutMs = options.operationTimeoutMs ?? 10_000;
    this.admin = options.driver.admin();
    // A driver's producer never creates a topic: one created by a broker default would not be compacted.
    this.producer = options.driver.producer();
    this.consumer = options.driver.consumer({
      groupId: `troupe-registry-${options.topic}-${this.instanceId}`,
      maxWaitTimeMs: 500,
      // The group's only member is this reader. When the broker restarts under it, the member it
      // was stays in the group until its session expires, and the reader's rejoin waits for that:
      // with the 30 s default, writes (read back before they answer) failed for ~30 s after
      // Kafka was back. 6 s is the broker's default minimum.
      sessionTimeoutMs: 6_000,
      heartbeatIntervalMs: 1_000,
    });
  }

  /** Connects, creates the topic if missing, starts the reader and waits until it has caught up. */
  static async open(options: KafkaLogOptions, handler: RecordHandler): Promise<KafkaLog> {
    const log = new KafkaLog(options, handler);
    try {
      await log.start();
      return log;
    } catch (error) {
      await log.close();
      throw error;
    }
  }

  get topic(): string {
    return this.options.topic;
  }

  async catchUp(): Promise<void> {
    const end = await this.endOffset();
    await this.waitForOffset(end);
  }

  /** Produces `records` in order and resolves with each one's outcome once the reader applied them. */
  async append(records: readonly AppendRecord[]): Promise<ApplyOutcome[]> {
    if (this.closed) throw storeError('the registry is shutting down');
    const outcomes: Promise<ApplyOutcome>[] = [];
    const tokens: string[] = [];
    for (let i = 0; i < records.length; i++) {
      const token = `${this.instanceId}:${++this.writeSequence}`;
      tokens.push(token);
      outcomes.push(new Promise((resolve) => this.pendingWrites.set(token, resolve)));
    }
    try {
      await this.producer.send(
        [
          {
            topic: this.options.topic,
            records: records.map((record, i) => ({
              key: record.key,
              value: record.value,
              partition: 0,
              headers: { [TOKEN_HEADER]: tokens[i] },
            })),
          },
        ],
        { timeoutMs: this.timeoutMs },
      );
      return await withTimeout(
        Promise.all(outcomes),
        this.timeoutMs,
        `write to ${this.options.topic} was not read back within ${this.timeoutMs} ms`,
      );
    } catch (error) {
      if (isRegistryTimeout(error)) throw error;
      throw storeError(
        `could not write to topic ${this.options.topic}: ${(error as Error).message}`,
        error,
      );
    } finally {
      for (const token of tokens) this.pendingWrites.delete(token);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const results = await Promise.allSettled([
      this.consumer.stop(),
      this.producer.disconnect(),
      this.admin.disconnect(),
    ]);
    for (const result of results) {
      if (result.status === 'rejected')
        this.logger.warn({ err: result.reason }, 'kafka client did not close cleanly');
    }
  }

  private async start(): Promise<void> {
    await this.admin.connect();
    await this.ensureTopic();
    await this.producer.connect();
    // Resolves after the first join: the group is new, so reading starts at the beginning.
    await this.consumer.run({
      topics: [this.options.topic],
      fromBeginning: true,
      partitionConcurrency: 1,
      onBatch: async (batch) => this.applyBatch(batch),
      onCrash: (error, restarting) =>
        this.logger.error({ err: error, restart: restarting }, 'schema log reader crashed'),
    });
    await this.catchUp();
  }

  private applyBatch(batch: RecordBatch): void {
    for (const record of batch.records) this.applyRecord(record);
    this.notifyOffsetWaiters();
    // A consumer's position moves only by a commit or a seek. The reader never commits (its group
    // is thrown away with it), so it seeks past what it applied; commit would leave the group's
    // offsets on the cluster for every instance that ever ran.
    if (!this.closed && batch.records.length > 0)
      this.consumer.seek(batch.topic, batch.partition, String(this.nextOffset));
  }

  private applyRecord(record: ConsumedRecord): void {
    const offset = Number(record.offset);
    if (offset < this.nextOffset) return; // re-delivered after a rebalance: already applied
    let outcome: ApplyOutcome;
    try {
      outcome = this.handler(
        record.key?.toString('utf8') ?? null,
        record.value?.toString('utf8') ?? null,
        offset,
      );
    } catch (error) {
      // A bug in applying must not stop the reader, or every later request would time out.
      this.logger.error({ err: error, offset }, 'could not apply schema log record; skipped');
      outcome = 'ignored';
    }
    this.nextOffset = offset + 1;
    const token = headerString(record.headers, TOKEN_HEADER);
    if (token !== undefined) this.pendingWrites.get(token)?.(outcome);
  }

  private async ensureTopic(): Promise<void> {
    const { topic } = this.options;
    // Another instance may create it at the same moment: it is then checked below like any other.
    const created = await this.admin.createTopics([
      { topic, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
    ]);
    if (created.includes(topic))
      this.logger.info('created schema log topic (1 partition, compacted)');
    const [described] = await this.admin.describeTopics([topic]);
    const partitions = described?.partitions.length ?? 0;
    if (partitions !== 1) {
      throw storeError(
        `topic ${topic} must have exactly 1 partition to keep a total order; found ${partitions}`,
      );
    }
    // Like Confluent's registry, refuse a topic that deletes old records: it would lose schemas.
    const configs = await this.admin.topicConfigs(topic);
    const policy = configs.find((e) => e.name === 'cleanup.policy')?.value;
    if (policy !== 'compact') {
      throw storeError(
        `topic ${topic} must have cleanup.policy=compact, found ${JSON.stringify(policy)}; fix it with ` +
          `kafka-configs.sh --alter --entity-type topics --entity-name ${topic} --add-config cleanup.policy=compact`,
      );
    }
  }

  /** The partition's end offset, from a broker query that began after this call (coalesced). */
  private endOffset(): Promise<number> {
    if (!this.endOffsetQuery) return this.startEndOffsetQuery();
    // A query is in flight, but it may have been sent before the write we must see: queue one more,
    // shared by every caller arriving meanwhile.
    this.queuedEndOffsetQuery ??= this.endOffsetQuery
      .catch(() => undefined)
      .then(() => {
        this.queuedEndOffsetQuery = undefined;
        return this.startEndOffsetQuery();
      });
    return this.queuedEndOffsetQuery;
  }

  private startEndOffsetQuery(): Promise<number> {
    const query = withTimeout(
      this.admin.topicOffsets(this.options.topic),
      this.timeoutMs,
      `end offset of ${this.options.topic} not known within ${this.timeoutMs} ms`,
    )
      .then((offsets) => {
        const partition = offsets.find((o) => o.partition === 0);
        if (!partition) throw new Error(`topic ${this.options.topic} has no partition 0`);
        return Number(partition.high);
      })
      .catch((error: unknown) => {
        if (isRegistryTimeout(error)) throw error;
        throw storeError(
          `could not read the end offset of ${this.options.topic}: ${(error as Error).message}`,
          error,
        );
      })
      .finally(() => {
        if (this.endOffsetQuery === query) this.endOffsetQuery = undefined;
      });
    this.endOffsetQuery = query;
    return query;
  }

  private waitForOffset(target: number): Promise<void> {
    if (this.nextOffset >= target) return Promise.resolve();
    if (this.closed) return Promise.reject(storeError('the registry is shutting down'));
    let waiter: OffsetWaiter | undefined;
    const reached = new Promise<void>((resolve) => {
      waiter = { target, resolve };
      this.offsetWaiters.add(waiter);
    });
    return withTimeout(
      reached,
      this.timeoutMs,
      `reader of ${this.options.topic} did not reach offset ${target} within ${this.timeoutMs} ms (at ${this.nextOffset})`,
    ).finally(() => {
      if (waiter) this.offsetWaiters.delete(waiter);
    });
  }

  private notifyOffsetWaiters(): void {
    for (const waiter of this.offsetWaiters) {
      if (this.nextOffset >= waiter.target) {
        this.offsetWaiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(storeTimeout(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function isRegistryTimeout(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { errorCode?: unknown }).errorCode === 50002
  );
}
