import {
  Consumer,
  FetchIsolationLevels,
  type BaseOptions,
  type ConsumerOptions as LibraryConsumerOptions,
  type MessagesStream,
  type fetchV17,
} from '@platformatic/kafka';
import type {
  BatchControl,
  ConsumerOptions,
  ConsumerRunOptions,
  GroupConsumer,
  RecordBatch,
} from '../consumer';
import type { Assignment } from '../records';
import { fetchedPartition } from './fetched-records';
import { groupProtocolOf, type GroupProtocol } from './group-protocol';
import { commitWithMetadata } from './metadata-commit';
import { Slots } from './slots';
import { startOffsets } from './start-offsets';

/** Where this member is on one partition it owns. Replaced, not reused, when the partition is assigned again. */
interface OwnedPartition {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** The next offset to fetch; undefined until the group's committed offset was read. */
  position: bigint | undefined;
  /** Counts seeks: a batch fetched before one is stale. */
  seeks: number;
  /** Taken away by the group (or the member stopped). */
  revoked: boolean;
  /** Of the last record batch fetched, for commits (KIP-320). */
  leaderEpoch: number;
  /** A fetch failed for it: not fetched again before this time. */
  retryAt: number;
}

/** How long a partition whose fetch or batch failed waits before it is fetched again. */
const RETRY_MS = 1_000;
/** How often the member looks for an assignment the library changed (KIP-848 assigns on heartbeats). */
const ASSIGNMENT_POLL_MS = 200;
/** A batch of handlers that never yield lets the library's heartbeat timer run at least this often. */
const YIELD_EVERY_MS = 1_000;

const keyOf = (topic: string, partition: number) => `${topic}\0${partition}`;

/**
 * A group member on @platformatic/kafka. The library keeps the membership (joins, heartbeats on
 * its own timer, rebalances; KIP-848 where the cluster offers it), but its messages stream
 * fetches every assigned partition with no pause or seek per partition. So this member runs its
 * own fetch loop on the library's `fetch`: one request in flight per broker, for the partitions
 * that are assigned, not paused and not being handled; a partition is fetched again only once its
 * batch is over, from where the batch committed (or sought) to. Nothing is committed on the
 * member's own: autocommit is off and offsets move only through BatchControl.commit.
 *
 * Revocation: under the classic protocol every rebalance takes all partitions away (the eager
 * protocol, as kafkajs does); under KIP-848 only the partitions the new assignment no longer
 * holds, so a batch of a partition that stays with this member is not interrupted.
 */
export class PlatformaticGroupConsumer implements GroupConsumer {
  private consumer?: Consumer;
  private protocol: GroupProtocol = 'classic';
  private membership?: MessagesStream<Buffer, Buffer, Buffer, Buffer>;
  private run$?: ConsumerRunOptions;
  private readonly owned = new Map<string, OwnedPartition>();
  private readonly paused = new Set<string>();
  /** Partitions with a batch being handled (of any assignment: a revoked one too, until it ends). */
  private readonly handling = new Set<string>();
  private readonly lookingUp = new Set<string>();
  private readonly fetchingFrom = new Set<number>();
  private seenAssignments: Consumer['assignments'] = null;
  private pumping = false;
  private pumpAgain = false;
  private stopping = false;
  private stopped?: Promise<void>;
  private idle?: () => void;
  private slots = new Slots(1);
  private readonly timers = new Set<NodeJS.Timeout>();
  private assignmentPoll?: NodeJS.Timeout;

  constructor(
    private readonly base: BaseOptions,
    private readonly options: ConsumerOptions,
  ) {}

  async run(options: ConsumerRunOptions): Promise<void> {
    this.run$ = options;
    this.slots = new Slots(Math.max(1, options.partitionConcurrency));
    this.protocol = await groupProtocolOf(this.base);
    const consumer = new Consumer(this.libraryOptions());
    this.consumer = consumer;
    // The library emits 'error' when a rejoin fails; it keeps trying, so the member restarts by itself.
    consumer.on('error', (error: Error) => options.onCrash?.(error, true));
    if (this.protocol === 'classic')
      consumer.on('consumer:group:rebalance', () => this.revokeAll());
    await this.join();
    this.assignmentPoll = setInterval(() => this.noticeAssignment(), ASSIGNMENT_POLL_MS);
    this.assignmentPoll.unref();
    this.noticeAssignment();
  }

  pause(topic: string, partition: number): void {
    this.paused.add(keyOf(topic, partition));
  }

  resume(topic: string, partition: number): void {
    if (this.paused.delete(keyOf(topic, partition))) this.pump();
  }

  seek(topic: string, partition: number, offset: string): void {
    const owned = this.owned.get(keyOf(topic, partition));
    if (!owned) return;
    owned.position = BigInt(offset);
    owned.seeks++;
    this.pump();
  }

  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  private libraryOptions(): LibraryConsumerOptions<Buffer, Buffer, Buffer, Buffer> {
    const { options } = this;
    const fetching = {
      autocommit: false,
      maxWaitTime: options.maxWaitTimeMs ?? 1_000,
      maxBytesPerPartition: options.maxBytesPerPartition,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      rebalanceTimeout: options.rebalanceTimeoutMs ?? 60_000,
    };
    const classic = {
      ...this.base,
      groupId: options.groupId,
      ...fetching,
      sessionTimeout: options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 3_000,
    };
    // Under KIP-848 the session timeout and heartbeat interval are the broker's (group.consumer.*);
    // the library still checks the classic ones against the rebalance timeout, so they stay.
    return this.protocol === 'consumer' ? { ...classic, groupProtocol: 'consumer' } : classic;
  }

  /**
   * Subscribes and joins through a messages stream that is never read: the library joins a group
   * (under KIP-848 only) for a stream, and a stream nobody reads fetches nothing. If the stream
   * ends while the member runs (it is destroyed on an error), the member subscribes again.
   */
  private async join(): Promise<void> {
    const consumer = this.consumer!;
    const run = this.run$!;
    const stream = await consumer.consume({
      topics: [...run.topics],
      mode: 'manual',
      offsets: [],
      autocommit: false,
    });
    this.membership = stream;
    stream.on('error', (error: Error) => run.onCrash?.(error, true));
    stream.once('close', () => {
      if (this.stopping || this.membership !== stream) return;
      this.later(
        () => void this.join().catch((error: Error) => run.onCrash?.(error, true)),
        RETRY_MS,
      );
    });
  }

  /** Applies an assignment the library changed since the last look; cheap when it did not. */
  private noticeAssignment(): void {
    const assignments = this.consumer?.assignments ?? null;
    if (assignments === this.seenAssignments || this.stopping) return;
    this.seenAssignments = assignments;
    if (assignments === null) return;
    const assignment: Record<string, number[]> = {};
    const keys = new Set<string>();
    for (const { topic, partitions } of assignments) {
      assignment[topic] = [...partitions];
      for (const partition of partitions) {
        const key = keyOf(topic, partition);
        keys.add(key);
        if (!this.owned.has(key))
          this.owned.set(key, {
            topic,
            partition,
            key,
            position: undefined,
            seeks: 0,
            revoked: false,
            leaderEpoch: -1,
            retryAt: 0,
          });
      }
    }
    for (const [key, owned] of this.owned)
      if (!keys.has(key)) {
        owned.revoked = true;
        this.owned.delete(key);
      }
    this.run$?.onAssigned?.(assignment as Assignment);
    this.pump();
  }

  /** The classic protocol's rebalance: everything is taken away until the member has joined again. */
  private revokeAll(): void {
    for (const owned of this.owned.values()) owned.revoked = true;
    this.owned.clear();
    // The assignment the library still holds is the old one; the join replaces it with a new array.
    this.seenAssignments = this.consumer?.assignments ?? null;
  }

  /** Starts what can start: offset lookups for new partitions, and a fetch per broker with nothing in flight. */
  private pump(): void {
    if (this.stopping || !this.consumer) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.pumpOnce()
      .catch((error: Error) => {
        this.run$?.onCrash?.(error, true);
        this.later(() => this.pump(), RETRY_MS);
      })
      .finally(() => {
        this.pumping = false;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.pump();
        }
      });
  }

  private async pumpOnce(): Promise<void> {
    const now = Date.now();
    const unknown: OwnedPartition[] = [];
    const fetchable: OwnedPartition[] = [];
    let nextRetry = Infinity;
    for (const owned of this.owned.values()) {
      if (this.handling.has(owned.key) || this.paused.has(owned.key)) continue;
      if (owned.retryAt > now) {
        nextRetry = Math.min(nextRetry, owned.retryAt);
        continue;
      }
      if (owned.position === undefined) {
        if (!this.lookingUp.has(owned.key)) unknown.push(owned);
      } else fetchable.push(owned);
    }
    if (nextRetry !== Infinity) this.later(() => this.pump(), nextRetry - now);
    if (unknown.length > 0) void this.lookUp(unknown);
    if (fetchable.length === 0) return;
    const consumer = this.consumer!;
    const metadata = await consumer.metadata({
      topics: [...new Set(fetchable.map((o) => o.topic))],
    });
    const byLeader = new Map<number, OwnedPartition[]>();
    for (const owned of fetchable) {
      const leader = metadata.topics.get(owned.topic)?.partitions[owned.partition]?.leader;
      if (leader === undefined || leader < 0 || this.fetchingFrom.has(leader)) continue;
      let list = byLeader.get(leader);
      if (!list) byLeader.set(leader, (list = []));
      list.push(owned);
    }
    for (const [leader, partitions] of byLeader) {
      const topics = new Map<string, fetchV17.FetchRequestTopic>();
      const from = new Map<string, bigint>();
      for (const owned of partitions) {
        const topicId = metadata.topics.get(owned.topic)!.id;
        let topic = topics.get(topicId);
        if (!topic) topics.set(topicId, (topic = { topicId, partitions: [] }));
        topic.partitions.push({
          partition: owned.partition,
          fetchOffset: owned.position!,
          partitionMaxBytes: this.options.maxBytesPerPartition ?? 1_048_576,
          currentLeaderEpoch: -1,
          lastFetchedEpoch: -1,
        });
        from.set(owned.key, owned.position!);
      }
      const names = new Map([...metadata.topics].map(([name, t]) => [t.id, name]));
      this.fetchingFrom.add(leader);
      consumer.fetch(
        {
          node: leader,
          topics: [...topics.values()],
          maxWaitTime: this.options.maxWaitTimeMs ?? 1_000,
          isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        },
        (error, response) => {
          this.fetchingFrom.delete(leader);
          if (this.stopping) return;
          if (error) this.fetchFailed(error, names, partitions);
          else this.fetched(response!, names, from);
          this.pump();
        },
      );
    }
  }

  /** Reads where the group is on newly assigned partitions: its committed offset, else the start or end. */
  private async lookUp(partitions: OwnedPartition[]): Promise<void> {
    const run = this.run$!;
    for (const owned of partitions) this.lookingUp.add(owned.key);
    try {
      const offsets = await startOffsets(this.consumer!, partitions, run.fromBeginning);
      partitions.forEach((owned, i) => {
        // A seek meanwhile wins over what the group had.
        if (owned.position !== undefined) return;
        owned.position = offsets[i];
        if (owned.position === undefined) owned.retryAt = Date.now() + RETRY_MS;
      });
    } catch (error) {
      if (!this.stopping) run.onCrash?.(error as Error, true);
      for (const owned of partitions) owned.retryAt = Date.now() + RETRY_MS;
    } finally {
      for (const owned of partitions) this.lookingUp.delete(owned.key);
      this.pump();
    }
  }

  private fetched(
    response: fetchV17.FetchResponse,
    names: Map<string, string>,
    from: Map<string, bigint>,
  ): void {
    const run = this.run$!;
    for (const topicResponse of response.responses) {
      const topic = names.get(topicResponse.topicId) ?? topicResponse.topicId;
      for (const partitionResponse of topicResponse.partitions) {
        const key = keyOf(topic, partitionResponse.partitionIndex);
        const asked = from.get(key);
        const owned = this.owned.get(key);
        // A partition that was revoked, sought or paused since the request went out is fetched again.
        if (asked === undefined || !owned || owned.position !== asked || this.paused.has(key))
          continue;
        const { records, next, leaderEpoch } = fetchedPartition(partitionResponse, asked);
        if (next === undefined) continue;
        owned.leaderEpoch = leaderEpoch;
        if (records.length === 0) {
          owned.position = next;
          run.onSkipped?.({
            topic,
            partition: owned.partition,
            from: asked.toString(),
            next: next.toString(),
          });
          continue;
        }
        const batch: RecordBatch = {
          topic,
          partition: owned.partition,
          highWatermark: partitionResponse.highWatermark.toString(),
          records,
        };
        this.handling.add(key);
        void this.handle(owned, batch);
      }
    }
  }

  /** A failed fetch: an offset out of range starts over where the group would start; anything else waits and retries. */
  private fetchFailed(
    error: Error,
    names: Map<string, string>,
    partitions: OwnedPartition[],
  ): void {
    const run = this.run$!;
    const response = (error as { response?: fetchV17.FetchResponse }).response;
    let recovered = false;
    for (const topicResponse of response?.responses ?? [])
      for (const p of topicResponse.partitions) {
        if (p.errorCode !== OFFSET_OUT_OF_RANGE) continue;
        const owned = this.owned.get(
          keyOf(names.get(topicResponse.topicId) ?? '', p.partitionIndex),
        );
        if (!owned) continue;
        owned.position = run.fromBeginning ? p.logStartOffset : p.highWatermark;
        recovered = true;
      }
    if (recovered) return;
    run.onCrash?.(error, true);
    for (const owned of partitions) owned.retryAt = Date.now() + RETRY_MS;
  }

  private async handle(owned: OwnedPartition, batch: RecordBatch): Promise<void> {
    const run = this.run$!;
    await this.slots.acquire();
    const seeks = owned.seeks;
    let lastYield = Date.now();
    const control: BatchControl = {
      isActive: () => {
        this.noticeAssignment();
        return !this.stopping && !owned.revoked && owned.seeks === seeks;
      },
      keepAlive: () => {
        if (Date.now() - lastYield < YIELD_EVERY_MS) return undefined;
        lastYield = Date.now();
        return new Promise<void>((resolve) => setImmediate(resolve));
      },
      commit: async (next, metadata) => {
        const offset = BigInt(next);
        await this.commit(owned, offset, metadata);
        if (owned.seeks === seeks) owned.position = offset;
      },
    };
    try {
      if (control.isActive()) await run.onBatch(batch, control);
    } catch (error) {
      // Nothing the batch did not commit is done: its partition is fetched again from there.
      if (!this.stopping) run.onCrash?.(error as Error, true);
      owned.retryAt = Date.now() + RETRY_MS;
    } finally {
      this.slots.release();
      this.handling.delete(owned.key);
      if (this.handling.size === 0) this.idle?.();
      this.pump();
    }
  }

  private commit(owned: OwnedPartition, offset: bigint, metadata?: string | null): Promise<void> {
    const consumer = this.consumer!;
    const { topic, partition, leaderEpoch } = owned;
    if (metadata === undefined || metadata === null)
      return consumer.commit({ offsets: [{ topic, partition, offset, leaderEpoch }] });
    return commitWithMetadata(consumer, this.protocol, {
      topic,
      partition,
      offset,
      leaderEpoch,
      metadata,
    });
  }

  private later(task: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopping) task();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  private async shutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.assignmentPoll);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    if (!this.consumer) return;
    // Batches in flight see isActive() false and end after committing what they settled.
    if (this.handling.size > 0) await new Promise<void>((resolve) => (this.idle = resolve));
    for (const owned of this.owned.values()) owned.revoked = true;
    this.owned.clear();
    try {
      await this.membership?.close();
    } finally {
      // Leaves the group, so its partitions go to the other members at once.
      await this.consumer.close();
      this.run$?.onStopped?.();
    }
  }
}

/** Kafka's error code for a fetch offset outside the partition's log. */
const OFFSET_OUT_OF_RANGE = 1;
