import type { RawHeaders } from '../events/headers';

/**
 * A record as a consumer receives it. Offsets are decimal strings: Kafka's are 64-bit and a
 * JavaScript number cannot hold every one of them.
 */
export interface ConsumedRecord {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** Header values as the broker sent them; a repeated header name gives an array (last wins for headerString). */
  readonly headers: RawHeaders;
  readonly offset: string;
  /** Milliseconds since the epoch, as a decimal string (CreateTime or LogAppendTime). */
  readonly timestamp: string;
}

/** A record to produce. Without a partition the driver's partitioner places it by key (murmur2, as the Java client does). */
export interface OutgoingRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: RawHeaders;
  partition?: number;
}

/** Records for one topic, in the order they must keep within each partition. */
export interface TopicRecords {
  topic: string;
  records: readonly OutgoingRecord[];
}

/** A member's partitions, per topic, after a (re)join of its group. */
export type Assignment = Readonly<Record<string, readonly number[]>>;

/** The offset after `offset`: where a consumer goes on once `offset` is done. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}
