import type { Assignment, ConsumedRecord } from './records';

/** How a group consumer is made; every driver refuses to create the topics it subscribes to. */
export interface ConsumerOptions {
  groupId: string;
  /** Default 30 s. */
  sessionTimeoutMs?: number;
  /** Default 3 s. */
  heartbeatIntervalMs?: number;
  /** Default 60 s. */
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for data; also bounds how long stop() waits for an idle fetch. Default 1 s. */
  maxWaitTimeMs?: number;
  maxBytesPerPartition?: number;
}

/** Records of one partition, fetched together, in offset order. */
export interface RecordBatch {
  readonly topic: string;
  readonly partition: number;
  /** The partition's high watermark when the batch was fetched: the offset after its last record. */
  readonly highWatermark: string;
  readonly records: readonly ConsumedRecord[];
}

/**
 * What a batch handler may do with the batch it was given. Valid only until the handler's promise
 * settles.
 */
export interface BatchControl {
  /**
   * True while the consumer runs and this member still owns the batch's partition at the position
   * the batch was fetched from: false once stop() began, the group took the partition away (or a
   * heartbeat was refused because it is rebalancing), or the partition was sought since the fetch.
   * Cheap enough to ask before every record; a driver may notice a seek made elsewhere a few calls
   * late (never a stop). A handler that sees false should stop starting records.
   */
  isActive(): boolean;
  /**
   * Keeps the member in its group during a long batch. The driver heartbeats on its own while the
   * handler awaits I/O; call this between records so that a batch of handlers that never yield
   * does not starve it. Returns a promise only when a heartbeat was due and sent (await it), and
   * never rejects: a refused heartbeat turns isActive() false.
   */
  keepAlive(): Promise<void> | undefined;
  /**
   * Marks every record before `next` done and commits `next` as the group's position on this
   * partition (with `metadata`, when given). Resolves once the group coordinator has stored it:
   * "committed" means a member that gets this partition later, this one included after a crash,
   * starts at `next`. The driver will not deliver records before `next` again to this member
   * unless the partition is sought back. Rejects when the commit was refused (e.g. the partition
   * was revoked meanwhile): those records were handled but are delivered again to the partition's
   * next owner (at-least-once).
   */
  commit(next: string, metadata?: string | null): Promise<void>;
}

/**
 * Processes one batch. When it returns, the partition's next fetch starts after the offset it
 * committed or, with nothing committed and no seek, at the same records again (a reader that never
 * commits seeks past what it read). Never two batches of one partition at once; batches of
 * different partitions concurrently, up to `partitionConcurrency`. A batch handler that throws fails the batch: nothing it did not
 * commit is considered done, and the driver may rejoin the group before fetching again.
 */
export type BatchHandler = (batch: RecordBatch, control: BatchControl) => Promise<void>;

export interface ConsumerRunOptions {
  topics: readonly string[];
  /** Where a group with no committed offset starts: the earliest record (true) or the next one produced. */
  fromBeginning: boolean;
  /** Partitions whose batches may be processed at the same time. */
  partitionConcurrency: number;
  onBatch: BatchHandler;
  /** After every (re)join, with the member's whole new assignment, before any batch of it is handed out. */
  onAssigned?(assignment: Assignment): void;
  /**
   * The driver moved a partition's position past offsets that hold no record for a handler
   * (transaction markers, records of aborted transactions) without handing out a batch: `from` is
   * the first such offset, `next` the one after the last. Commits nothing. How a reader that stops
   * at an offset (e.g. the high watermark when it began) learns that it got there when the last
   * offsets before it are such records.
   */
  onSkipped?(skipped: { topic: string; partition: number; from: string; next: string }): void;
  /**
   * The consumer failed. `restarting`: the driver reconnects and rejoins by itself; otherwise
   * the consumer is dead and the service is not healthy.
   */
  onCrash?(error: Error, restarting: boolean): void;
  /** In-flight batches are done and the member holds no partition (after stop() or a crash). */
  onStopped?(): void;
}

/**
 * A member of a consumer group. Offsets move only through BatchControl.commit: a driver never
 * commits on its own (no auto-commit), so a record is committed only after the runtime settled it.
 *
 * pause, resume and seek may be called from any callback or timer while the consumer runs; they
 * take effect at the next fetch of that partition, and a batch already handed out for it turns
 * inactive after a seek. Called after stop() they may throw.
 */
export interface GroupConsumer {
  /** Connects, subscribes and joins the group; resolves after the first join. Call once. */
  run(options: ConsumerRunOptions): Promise<void>;
  /** Stops fetching the partition until resume(); its batches in flight are not interrupted. */
  pause(topic: string, partition: number): void;
  resume(topic: string, partition: number): void;
  /** The next fetch of the partition starts at `offset`. Commits nothing. */
  seek(topic: string, partition: number, offset: string): void;
  /**
   * Stops fetching, lets batches in flight finish (they see isActive() false and commit what they
   * settled), leaves the group and disconnects. Safe to call more than once and before run().
   */
  stop(): Promise<void>;
}
