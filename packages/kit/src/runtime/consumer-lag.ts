import type { KafkaAdmin } from '../kafka/admin';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../observability/metrics';
import { withTimeout } from './timers';

/** The part of the admin client the refresh uses; the refresh owns its connection. */
export type WatermarkAdmin = Pick<KafkaAdmin, 'connect' | 'disconnect' | 'topicOffsets'>;

/** Where and how often the high watermarks of the assigned partitions are read between fetches. */
export interface LagRefreshOptions {
  admin: WatermarkAdmin;
  intervalMs: number;
  logger: Logger;
}

/** Longest a service stop waits for the refresh's admin client to disconnect. */
const CLOSE_MS = 5_000;

/** One assigned partition as the lag sees it. */
interface Position {
  /** The first record not settled: where the partition is fetched from next, and committed. */
  next: bigint;
  /** The highest high watermark seen, by a fetch or by the refresh. */
  high: bigint;
}

/** Records from the first unsettled one (`next`) to the high watermark; never negative. */
export function lagOf(high: bigint, next: bigint): number {
  return high > next ? Number(high - next) : 0;
}

/**
 * The high watermark to keep when a source reports `reported`. High watermarks only grow, so an
 * older one (a batch ending with the watermark of its fetch, after the refresh read a newer one)
 * must not lower the lag.
 */
export function newerHigh(known: bigint | undefined, reported: bigint): bigint {
  return known !== undefined && known > reported ? known : reported;
}

/**
 * The `troupe_consumer_lag` series of one consumer's partitions: for each, its high watermark
 * minus its first unsettled record, the offset it is committed at between batches (Kafka's
 * `kafka-consumer-groups --describe` view). Records settled by a batch still running count until
 * the batch commits them: they would be delivered again if this member died now.
 *
 * The batch processor records every fetched batch when it starts and when it ends, settled or
 * not: a partition held at an open breaker, a redelivered failure, a retry record not yet due or
 * a handler stuck on a slow dependency is exactly where lag grows, so its number must move too.
 * While a batch runs (or the partition is paused) no fetch returns a new high watermark, so with
 * `refresh` set the watermarks of the assigned partitions are also read from the admin client
 * every `intervalMs`, and the lag recomputed from the recorded first unsettled record.
 *
 * A partition's series exists only while this member owns it: a (re)join that moves it to
 * another member removes it, and so does the consumer stopping; a number left behind would
 * never change again, and summed over the group it would count the same records twice.
 *
 * Limit: a partition has no series until the first batch of it this member fetches starts (its
 * first unsettled record is not known before), e.g. while its batch waits for one of the
 * `partitionConcurrency` workers, all busy with stuck batches, right after a join.
 */
export class ConsumerLag {
  private assigned = new Map<string, ReadonlySet<number>>();
  private readonly positions = new Map<string, Map<number, Position>>();
  private readonly refresher?: WatermarkRefresh;

  constructor(
    private readonly metrics: ServiceMetrics,
    refresh?: LagRefreshOptions,
  ) {
    if (refresh) this.refresher = new WatermarkRefresh(this, refresh);
  }

  /**
   * @param highWatermark the fetched batch's high watermark
   * @param next offset of the next record this member will process: the first not settled
   */
  record(topic: string, partition: number, highWatermark: string, next: string): void {
    // A batch that was still running when a rejoin took its partition away: not ours to report.
    if (this.assigned.get(topic)?.has(partition) !== true) return;
    let partitions = this.positions.get(topic);
    if (!partitions) this.positions.set(topic, (partitions = new Map()));
    const high = newerHigh(partitions.get(partition)?.high, BigInt(highWatermark));
    const position = { next: BigInt(next), high };
    partitions.set(partition, position);
    this.publish(topic, partition, position);
  }

  /**
   * High watermarks read outside a fetch (`admin.topicOffsets`): recomputes the lag of the
   * partitions of `topic` this member owns and has recorded a batch of; ignores the others.
   */
  refresh(topic: string, watermarks: ReadonlyArray<{ partition: number; high: string }>): void {
    const partitions = this.positions.get(topic);
    if (!partitions) return;
    for (const { partition, high } of watermarks) {
      const position = partitions.get(partition);
      if (!position) continue;
      position.high = newerHigh(position.high, BigInt(high));
      this.publish(topic, partition, position);
    }
  }

  /** The topics of the partitions whose lag `refresh` would recompute. */
  refreshableTopics(): string[] {
    return [...this.positions].filter(([, partitions]) => partitions.size > 0).map(([t]) => t);
  }

  /** Whether the last join gave this member any partition. */
  ownsPartitions(): boolean {
    return [...this.assigned.values()].some((partitions) => partitions.size > 0);
  }

  /** The member's assignment after a (re)join (onAssigned): drops the partitions it lost. */
  assign(assignment: Readonly<Record<string, readonly number[]>>): void {
    for (const [topic, partitions] of this.assigned) {
      const kept = assignment[topic];
      for (const partition of partitions)
        if (kept?.includes(partition) !== true) {
          this.positions.get(topic)?.delete(partition);
          this.metrics.removeLag(topic, partition);
        }
    }
    this.assigned = new Map(
      Object.entries(assignment).map(([topic, partitions]) => [topic, new Set(partitions)]),
    );
    if (this.ownsPartitions()) this.refresher?.schedule();
  }

  /** The consumer stopped (or crashed for good): its partitions belong to other members now. */
  clear(): void {
    this.assign({});
  }

  /** Stops the refresh for good and disconnects its admin client (waiting a few seconds at most). */
  close(): Promise<void> {
    return this.refresher?.close() ?? Promise.resolve();
  }

  private publish(topic: string, partition: number, position: Position): void {
    this.metrics.lag(topic, partition, lagOf(position.high, position.next));
  }
}

/**
 * The timer behind ConsumerLag's refresh: one read of the assigned topics' high watermarks every
 * `intervalMs`, counted from the end of the previous one so a slow admin call never overlaps the
 * next. It runs while the member owns partitions (a join schedules it again after a stop or a
 * crash), reads only the partitions this member owns, never keeps the process alive, and never
 * throws: a failed read is logged and the next tick tries again.
 */
class WatermarkRefresh {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private connection?: Promise<void>;
  private closed = false;
  /** Set after a failed read: the next failures of the streak are logged at debug only. */
  private failing = false;

  constructor(
    private readonly lag: ConsumerLag,
    private readonly options: LagRefreshOptions,
  ) {}

  /** Schedules the next read, unless one is scheduled or running, or the refresh was closed. */
  schedule(): void {
    if (this.closed || this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.tick().finally(() => {
        this.running = undefined;
        // Not on whether anything was refreshed: the first batches are recorded after the join
        // that scheduled the first read. A stop (or losing every partition) ends the chain.
        if (this.lag.ownsPartitions()) this.schedule();
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /**
   * Stops for good and disconnects the admin client. A read in flight is not waited for (with
   * the broker unreachable kafkajs retries it for a while, and a service stop must not): the
   * disconnect ends it. Waits at most CLOSE_MS for the disconnect, which goes on regardless.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const connection = this.connection;
    this.connection = undefined;
    if (!connection) return;
    const disconnected = connection.then(() => this.options.admin.disconnect());
    await withTimeout(disconnected, CLOSE_MS, 'consumer lag admin disconnect').catch(
      (error: unknown) =>
        this.options.logger.debug({ err: error }, 'consumer lag admin not closed'),
    );
  }

  private async tick(): Promise<void> {
    const topics = this.lag.refreshableTopics();
    if (topics.length === 0) return;
    let failure: { error: unknown; topics: string[] } | undefined;
    try {
      await this.connect();
      // One topic that cannot be read (deleted, leader moving) does not hold back the others.
      const reads = await Promise.allSettled(
        topics.map((topic) => this.options.admin.topicOffsets(topic)),
      );
      reads.forEach((read, i) => {
        const topic = topics[i]!;
        if (read.status === 'fulfilled') this.lag.refresh(topic, read.value);
        else if (failure) failure.topics.push(topic);
        else failure = { error: read.reason, topics: [topic] };
      });
    } catch (error) {
      failure = { error, topics };
    }
    if (failure) this.failed(failure.error, failure.topics);
    else this.failing = false;
  }

  private connect(): Promise<void> {
    this.connection ??= this.options.admin.connect().catch((error: unknown) => {
      this.connection = undefined; // the next tick connects again
      throw error;
    });
    return this.connection;
  }

  private failed(error: unknown, topics: string[]): void {
    if (this.closed) return; // ended by close()'s disconnect: nothing went wrong
    const fields = { err: error, topics, retryInMs: this.options.intervalMs };
    const message = 'could not read high watermarks; consumer lag not refreshed';
    if (this.failing) this.options.logger.debug(fields, message);
    else this.options.logger.warn(fields, message);
    this.failing = true;
  }
}
