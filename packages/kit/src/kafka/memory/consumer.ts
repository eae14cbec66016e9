import type {
  BatchControl,
  ConsumerOptions,
  ConsumerRunOptions,
  GroupConsumer,
  RecordBatch,
} from '../consumer';
import { type GroupMember, type MemoryCluster, type MemoryGroup, partitionKey } from './cluster';

/** Records per batch: small enough that a test sees several batches of one partition. */
const BATCH_SIZE = 100;

/** A partition this member owns in the current generation. */
interface Owned {
  topic: string;
  partition: number;
  /** Where the next batch starts. */
  position: number;
  /** A seek since the batch in flight was fetched makes that batch inactive. */
  epoch: number;
  inFlight?: Promise<void>;
}

/** The commit was refused: the member's generation is over (the group rebalanced). */
export class StaleGenerationError extends Error {
  constructor(groupId: string) {
    super(`commit refused: group ${groupId} has rebalanced since this batch was fetched`);
    this.name = 'StaleGenerationError';
  }
}

/**
 * A group member on a MemoryCluster, with the port's semantics: batches of one partition in
 * offset order, never two of one partition at once; nothing committed unless committed; a
 * rebalance revokes everything (eager protocol), waiting for batches in flight, which see
 * isActive() false and may still commit in their generation.
 */
export class MemoryGroupConsumer implements GroupConsumer, GroupMember {
  topics: readonly string[] = [];
  private readonly group: MemoryGroup;
  private options?: ConsumerRunOptions;
  private owned = new Map<string, Owned>();
  private generation = -1;
  private revoking = false;
  private running = false;
  private readonly paused = new Set<string>();
  private loop?: Promise<void>;
  private stopped?: Promise<void>;

  constructor(
    private readonly cluster: MemoryCluster,
    private readonly settings: ConsumerOptions,
  ) {
    this.group = cluster.group(settings.groupId);
  }

  async run(options: ConsumerRunOptions): Promise<void> {
    if (this.options) throw new Error('run() was already called');
    const missing = options.topics.filter((t) => !this.cluster.hasTopic(t));
    if (missing.length > 0)
      throw new Error(`in-memory cluster: no topic ${missing.join(', ')} to subscribe to`);
    this.options = options;
    this.topics = [...options.topics];
    this.running = true;
    await this.group.join(this);
    this.loop = this.fetchLoop();
  }

  pause(topic: string, partition: number): void {
    this.requireRunning();
    this.paused.add(partitionKey(topic, partition));
  }

  resume(topic: string, partition: number): void {
    this.requireRunning();
    this.paused.delete(partitionKey(topic, partition));
    this.cluster.notify();
  }

  seek(topic: string, partition: number, offset: string): void {
    this.requireRunning();
    const owned = this.owned.get(partitionKey(topic, partition));
    if (!owned) return;
    owned.position = Number(offset);
    owned.epoch += 1;
    this.cluster.notify();
  }

  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (!this.running) return;
      this.running = false;
      this.cluster.notify();
      await this.loop;
      await this.group.leave(this);
      this.options?.onStopped?.();
    })();
    return this.stopped;
  }

  // GroupMember: called by the group.
  async revoke(): Promise<void> {
    this.revoking = true;
    await Promise.all([...this.owned.values()].map((o) => o.inFlight));
    this.owned = new Map();
  }

  assign(partitions: readonly { topic: string; partition: number }[], generation: number): void {
    this.generation = generation;
    this.revoking = false;
    const fromBeginning = this.options?.fromBeginning ?? true;
    for (const { topic, partition } of partitions) {
      const key = partitionKey(topic, partition);
      const committed = this.group.committed.get(key)?.offset;
      const position =
        committed !== undefined
          ? Number(committed)
          : fromBeginning
            ? 0
            : this.cluster.highWatermark(topic, partition);
      this.owned.set(key, { topic, partition, position, epoch: 0 });
    }
    const assignment: Record<string, number[]> = {};
    for (const { topic, partition } of partitions) (assignment[topic] ??= []).push(partition);
    this.options?.onAssigned?.(assignment);
    this.cluster.notify();
  }

  private async fetchLoop(): Promise<void> {
    const options = this.options!;
    const maxWait = this.settings.maxWaitTimeMs ?? 1_000;
    const inFlight = new Set<Promise<void>>();
    while (this.running) {
      if (!this.revoking) {
        for (const [key, owned] of this.owned) {
          if (inFlight.size >= options.partitionConcurrency) break;
          if (owned.inFlight || this.paused.has(key)) continue;
          if (owned.position >= this.cluster.highWatermark(owned.topic, owned.partition)) continue;
          const batch = this.runBatch(owned).finally(() => {
            owned.inFlight = undefined;
            inFlight.delete(batch);
            this.cluster.notify();
          });
          owned.inFlight = batch;
          inFlight.add(batch);
        }
      }
      await this.cluster.changed(maxWait);
    }
    await Promise.all(inFlight);
  }

  private async runBatch(owned: Owned): Promise<void> {
    const { topic, partition } = owned;
    const records = this.cluster.read(topic, partition, owned.position, BATCH_SIZE);
    const start = owned.position;
    const epoch = owned.epoch;
    const generation = this.generation;
    const batch: RecordBatch = {
      topic,
      partition,
      highWatermark: String(this.cluster.highWatermark(topic, partition)),
      records,
    };
    let committed: number | undefined;
    const active = () =>
      this.running && !this.revoking && this.generation === generation && owned.epoch === epoch;
    const control: BatchControl = {
      isActive: active,
      // No sessions in memory: nothing to keep alive.
      keepAlive: () => undefined,
      commit: async (next, metadata) => {
        // Kafka refuses a commit from a generation that is over; during the rebalance it still accepts it.
        if (this.generation !== generation || this.group.generation !== generation)
          throw new StaleGenerationError(this.settings.groupId);
        this.group.committed.set(partitionKey(topic, partition), {
          offset: next,
          metadata: metadata ?? null,
        });
        committed = Number(next);
      },
    };
    try {
      await this.options!.onBatch(batch, control);
      // The next batch starts after what was committed, else at this batch's start (as kafkajs,
      // with nothing resolved, fetches the same records again); a seek meanwhile wins.
      if (owned.epoch === epoch) owned.position = committed ?? start;
    } catch (error) {
      if (owned.epoch === epoch) owned.position = committed ?? start;
      this.options!.onCrash?.(error instanceof Error ? error : new Error(String(error)), true);
    }
  }

  private requireRunning(): void {
    if (!this.running) throw new Error('the consumer is not running');
  }
}
