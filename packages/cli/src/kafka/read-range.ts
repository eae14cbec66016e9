import { TroupeError, type KafkaDriver } from '@troupe/kit';
import {
  type BatchControl,
  type ConsumedRecord,
  type KafkaAdmin,
  type RecordBatch,
} from '@troupe/kit/internal';

/** Offsets [start, end) of one partition to read; `end` is the high watermark when reading began. */
export interface OffsetRange {
  partition: number;
  start: bigint;
  end: bigint;
}

/** Records of one fetched batch that lie inside the partition's range, in offset order. */
export interface RangeBatch {
  partition: number;
  messages: readonly ConsumedRecord[];
  /** The offset after the last record of the batch inside the range: where reading goes on. */
  next: bigint;
  /** Commits an offset (and metadata) for the consumer group doing the reading. */
  commit(offset: bigint, metadata: string | null): Promise<void>;
}

export interface ReadRangesOptions {
  kafka: KafkaDriver;
  topic: string;
  ranges: OffsetRange[];
  /** The reading consumer's group: a throwaway one, or the group whose progress is committed. */
  groupId: string;
  /** Called once per batch, partitions one at a time; return false to stop reading everything. */
  onBatch(batch: RangeBatch): Promise<boolean | void>;
  /** Give up when no partition advances for this long (default 15 s). */
  idleTimeoutMs?: number;
  /** Stops reading (rejecting with the signal's reason), e.g. when a sibling reader failed. */
  signal?: AbortSignal;
}

export class ReadRangeError extends TroupeError {
  constructor(message: string) {
    super('READ_RANGE', message);
  }
}

const DEFAULT_IDLE_TIMEOUT_MS = 15_000;

/** Where each partition starts (the earliest offset, or the first at a time) and ends (now). */
export async function rangesOf(
  admin: KafkaAdmin,
  topic: string,
  from: 'earliest' | { timestampMs: number },
): Promise<OffsetRange[]> {
  const offsets = await admin.topicOffsets(topic);
  const starts =
    from === 'earliest'
      ? new Map(offsets.map((o) => [o.partition, BigInt(o.low)]))
      : new Map(
          (await admin.topicOffsetsAt(topic, from.timestampMs)).map((o) => [
            o.partition,
            BigInt(o.offset),
          ]),
        );
  return offsets
    .map((o) => ({
      partition: o.partition,
      start: starts.get(o.partition) ?? BigInt(o.high),
      end: BigInt(o.high),
    }))
    .sort((a, b) => a.partition - b.partition);
}

/**
 * Reads every record in `ranges` of `topic` and stops: records produced after reading began
 * are not waited for, and a topic with nothing in range returns at once without a consumer.
 *
 * The port has no manual assignment, so a consumer joins `groupId` and, on every join, seeks
 * each partition to where reading is. It moves on after a batch by seeking too, which commits
 * nothing: a throwaway group leaves no offsets behind, and only `RangeBatch.commit` stores
 * progress. A partition ends once its position reaches `end` (offsets the driver skips, such as
 * transaction markers, count too). Fails when another member of the group holds some of the
 * partitions (someone else is reading with the same group) or when nothing advances for
 * `idleTimeoutMs`.
 */
export async function readRanges(options: ReadRangesOptions): Promise<void> {
  const { kafka, topic, groupId, onBatch } = options;
  const positions = new Map<number, OffsetRange & { position: bigint }>();
  for (const range of options.ranges) {
    if (range.start < range.end)
      positions.set(range.partition, { ...range, position: range.start });
  }
  if (positions.size === 0) return;

  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const consumer = kafka.consumer({ groupId, maxWaitTimeMs: 250 });
  let settle: { resolve(): void; reject(error: unknown): void } | undefined;
  const finished = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  let failed = false;
  const fail = (error: unknown) => {
    failed = true;
    settle?.reject(error);
  };
  let idleTimer: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => fail(new ReadRangeError(idleMessage())), idleTimeoutMs);
  };
  const idleMessage = () => {
    const behind = [...positions.values()]
      .filter((p) => p.position < p.end)
      .map((p) => `partition ${p.partition} at ${p.position} of ${p.end}`);
    return `reading ${topic}: no progress for ${idleTimeoutMs / 1000} s (${behind.join(', ')})`;
  };
  const advance = (partition: number, next: bigint) => {
    const state = positions.get(partition);
    if (!state || next <= state.position) return;
    state.position = next;
    touch();
    if (next >= state.end) consumer.pause(topic, partition);
    else consumer.seek(topic, partition, next.toString());
    if ([...positions.values()].every((p) => p.position >= p.end)) settle?.resolve();
  };

  const handle = async (batch: RecordBatch, control: BatchControl) => {
    const state = positions.get(batch.partition);
    // An inactive batch was fetched before a seek (or a rejoin): the seek's fetch brings the records.
    if (failed || !state || state.position >= state.end || !control.isActive()) return;
    const messages = batch.records.filter((m) => {
      const offset = BigInt(m.offset);
      return offset >= state.position && offset < state.end;
    });
    const last = batch.records.at(-1);
    if (last === undefined) return;
    const next = minBigint(BigInt(last.offset) + 1n, state.end);
    try {
      const more = await onBatch({
        partition: batch.partition,
        messages,
        next,
        commit: (offset, metadata) => control.commit(offset.toString(), metadata),
      });
      if (more === false) {
        settle?.resolve();
        return;
      }
      advance(batch.partition, next);
    } catch (error) {
      fail(error);
    }
  };

  const aborted = () => options.signal?.reason ?? new ReadRangeError(`reading ${topic}: aborted`);
  if (options.signal?.aborted) throw aborted();
  const onAbort = () => fail(aborted());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Nothing awaits `finished` before the consumer runs: a failure there must not go unhandled.
  finished.catch(() => undefined);
  try {
    touch();
    await consumer.run({
      topics: [topic],
      fromBeginning: true,
      partitionConcurrency: 1,
      onBatch: handle,
      onAssigned: (assignment) => {
        const assigned = new Set(assignment[topic] ?? []);
        const missing = [...positions.keys()].filter((p) => !assigned.has(p));
        if (missing.length > 0) {
          fail(
            new ReadRangeError(
              `consumer group ${groupId} has other members holding ${topic} partitions ${missing.join(', ')}: is another troupe command running with it?`,
            ),
          );
          return;
        }
        // Partitions with nothing (left) to read are never fetched; the others resume where reading is.
        for (const partition of assigned) {
          const state = positions.get(partition);
          if (state && state.position < state.end)
            consumer.seek(topic, partition, state.position.toString());
          else consumer.pause(topic, partition);
        }
      },
      onSkipped: ({ topic: skippedTopic, partition, from, next }) => {
        const state = positions.get(partition);
        // Only a skip from where reading is: one beyond it would pass over records not read yet.
        if (skippedTopic !== topic || !state || BigInt(from) > state.position) return;
        advance(partition, minBigint(BigInt(next), state.end));
      },
      onCrash: (error) => fail(error),
    });
    await finished;
  } finally {
    clearTimeout(idleTimer);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.stop().catch(() => undefined);
  }
}

function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
