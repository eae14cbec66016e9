import { TroupeError } from '@troupe/kit';
import type { Admin, Batch, Consumer, Kafka, KafkaMessage } from 'kafkajs';

/** Offsets [start, end) of one partition to read; `end` is the high watermark when reading began. */
export interface OffsetRange {
  partition: number;
  start: bigint;
  end: bigint;
}

/** Records of one fetched batch that lie inside the partition's range, in offset order. */
export interface RangeBatch {
  partition: number;
  messages: KafkaMessage[];
  /** The offset after the last record of the batch inside the range: where reading goes on. */
  next: bigint;
  /** Commits an offset (and metadata) for the consumer group doing the reading. */
  commit(offset: bigint, metadata: string | null): Promise<void>;
}

export interface ReadRangesOptions {
  kafka: Kafka;
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
  admin: Admin,
  topic: string,
  from: 'earliest' | { timestampMs: number },
): Promise<OffsetRange[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  const starts =
    from === 'earliest'
      ? new Map(offsets.map((o) => [o.partition, BigInt(o.low)]))
      : new Map(
          (await admin.fetchTopicOffsetsByTimestamp(topic, from.timestampMs)).map((o) => [
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
 * kafkajs has no manual assignment, so a consumer joins `groupId` and seeks each partition to
 * its start. Batches fetched before a seek took effect are recognised by their fetch offset and
 * ignored. A partition ends once its position reaches `end` (control records of transactions
 * count too, via kafkajs' batch events). Fails when another member of the group holds some of
 * the partitions (someone else is reading with the same group) or when nothing advances for
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
  const consumer: Consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
    retry: { retries: 2 },
  });
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
    if (next >= state.end) consumer.pause([{ topic, partitions: [partition] }]);
    if ([...positions.values()].every((p) => p.position >= p.end)) settle?.resolve();
  };

  const aborted = () => options.signal?.reason ?? new ReadRangeError(`reading ${topic}: aborted`);
  if (options.signal?.aborted) throw aborted();
  const onAbort = () => fail(aborted());
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Nothing awaits `finished` before the consumer runs: a failure there must not go unhandled.
  finished.catch(() => undefined);
  try {
    touch();
    await consumer.connect();
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const assigned = new Set(payload.memberAssignment[topic] ?? []);
      const missing = [...positions.keys()].filter((p) => !assigned.has(p));
      if (missing.length > 0) {
        fail(
          new ReadRangeError(
            `consumer group ${groupId} has other members holding ${topic} partitions ${missing.join(', ')}: is another troupe command running with it?`,
          ),
        );
      }
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => fail(payload.error));
    // A batch of only control records (transaction markers) never reaches eachBatch.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      const state = positions.get(payload.partition);
      if (payload.topic !== topic || !state || payload.batchSize > 0) return;
      if (payload.firstOffset !== null && BigInt(payload.firstOffset) <= state.position)
        advance(payload.partition, BigInt(payload.lastOffset) + 1n);
    });
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        if (failed) return;
        const state = positions.get(batch.partition);
        if (!state || state.position >= state.end || !fetchedFrom(batch, state.position)) return;
        const messages = batch.messages.filter((m) => {
          const offset = BigInt(m.offset);
          return offset >= state.position && offset < state.end;
        });
        const next = minBigint(BigInt(batch.lastOffset()) + 1n, state.end);
        try {
          const more = await onBatch({
            partition: batch.partition,
            messages,
            next,
            commit: (offset, metadata) =>
              consumer.commitOffsets([
                { topic, partition: batch.partition, offset: offset.toString(), metadata },
              ]),
          });
          if (more === false) {
            settle?.resolve();
            return;
          }
          advance(batch.partition, next);
        } catch (error) {
          fail(error);
        }
      },
    });
    for (const { partition, start } of positions.values())
      consumer.seek({ topic, partition, offset: start.toString() });
    const idle = options.ranges.map((r) => r.partition).filter((p) => !positions.has(p));
    if (idle.length > 0) consumer.pause([{ topic, partitions: idle }]);
    await finished;
  } finally {
    clearTimeout(idleTimer);
    options.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
  }
}

/**
 * True when the batch was fetched from at or before `position`, so it holds every record from
 * there on. A batch fetched from elsewhere was requested before a seek took effect.
 */
function fetchedFrom(batch: Batch, position: bigint): boolean {
  const fetchedOffset = (batch as Batch & { fetchedOffset?: string }).fetchedOffset;
  if (fetchedOffset === undefined) {
    const first = batch.firstOffset();
    return first === null || BigInt(first) <= position;
  }
  return BigInt(fetchedOffset) <= position;
}

function minBigint(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
