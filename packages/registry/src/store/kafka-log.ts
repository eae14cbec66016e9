import { randomUUID } from 'node:crypto';
import {
  ConfigResourceTypes,
  Kafka,
  Partitioners,
  type Admin,
  type Consumer,
  type KafkaMessage,
  type Producer,
} from 'kafkajs';
import type { Logger } from 'pino';
import { storeError, storeTimeout } from '../errors';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-logger';
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
 * The reader is a kafkajs consumer in a group of its own that never commits: after a restart or a
 * rebalance it reads from the beginning again, and records it already applied (offset below
 * `nextOffset`) are skipped, so each record is applied exactly once, in order.
 */

export interface KafkaLogOptions {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly logger: Logger;
  readonly clientId?: string;
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
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumer: Consumer;
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
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'troupe-registry',
      brokers: [...options.brokers],
      connectionTimeout: 5_000,
      requestTimeout: 10_000,
      retry: { retries: 5, maxRetryTime: 5_000 },
      logLevel: kafkaLogLevel(options.logger),
      logCreator: kafkaLogCreator(options.logger),
    });
    this.admin = this.kafka.admin();
    // Never auto-create the topic: one created by a broker default would not be compacted.
    this.producer = this.kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
    });
    this.consumer = this.kafka.consumer({
      groupId: `troupe-registry-${options.topic}-${this.instanceId}`,
      maxWaitTimeInMs: 500,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
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
      await this.producer.send({
        topic: this.options.topic,
        acks: -1,
        timeout: this.timeoutMs,
        messages: records.map((record, i) => ({
          key: record.key,
          value: record.value,
          partition: 0,
          headers: { [TOKEN_HEADER]: tokens[i] },
        })),
      });
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
      this.consumer.disconnect(),
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
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.topic, fromBeginning: true });
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      this.logger.error(
        { err: payload.error, restart: payload.restart },
        'schema log reader crashed',
      );
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) this.applyMessage(message);
        this.notifyOffsetWaiters();
      },
    });
    await this.catchUp();
  }

  private applyMessage(message: KafkaMessage): void {
    const offset = Number(message.offset);
    if (offset < this.nextOffset) return; // re-delivered after a rebalance: already applied
    let outcome: ApplyOutcome;
    try {
      outcome = this.handler(
        message.key?.toString('utf8') ?? null,
        message.value?.toString('utf8') ?? null,
        offset,
      );
    } catch (error) {
      // A bug in applying must not stop the reader, or every later request would time out.
      this.logger.error({ err: error, offset }, 'could not apply schema log record; skipped');
      outcome = 'ignored';
    }
    this.nextOffset = offset + 1;
    const token = message.headers?.[TOKEN_HEADER]?.toString();
    if (token !== undefined) this.pendingWrites.get(token)?.(outcome);
  }

  private async ensureTopic(): Promise<void> {
    const { topic } = this.options;
    try {
      const created = await this.admin.createTopics({
        waitForLeaders: true,
        timeout: this.timeoutMs,
        topics: [
          {
            topic,
            numPartitions: 1,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      });
      if (created) this.logger.info('created schema log topic (1 partition, compacted)');
    } catch (error) {
      // Another instance created it at the same moment: fine, it is checked below like any other.
      if (!/already exists/i.test(String((error as Error).message))) throw error;
    }
    const metadata = await this.admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    if (partitions !== 1) {
      throw storeError(
        `topic ${topic} must have exactly 1 partition to keep a total order; found ${partitions}`,
      );
    }
    // Like Confluent's registry, refuse a topic that deletes old records: it would lose schemas.
    const described = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] },
      ],
    });
    const policy = described.resources[0]?.configEntries.find(
      (e) => e.configName === 'cleanup.policy',
    )?.configValue;
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
      this.admin.fetchTopicOffsets(this.options.topic),
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
