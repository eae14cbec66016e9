import type { KafkaRecord, fetchV17 } from '@platformatic/kafka';
import type { RawHeaders } from '../../events/headers';
import type { ConsumedRecord } from '../records';

/** Attribute bit of a record batch holding a transaction marker, not records for a handler. */
const IS_CONTROL = 0x20;

/** What one partition of a fetch response holds for the consumer, from the offset it asked for. */
export interface FetchedPartition {
  /** Records for a handler, in offset order (none before the offset asked for). */
  records: ConsumedRecord[];
  /** The offset after the last one the response covered (records, markers and aborted records alike); undefined when it covered none. */
  next: bigint | undefined;
  /** The leader epoch of the last record batch, for the commit (KIP-320); -1 when unknown. */
  leaderEpoch: number;
}

/**
 * Turns a partition of a fetch response into Troupe records. The broker answers with whole record
 * batches, so the first may begin before `from`: those records were asked for earlier and are
 * dropped. Transaction markers are dropped too (aborted records were already filtered out by
 * the library at READ_COMMITTED), but still move `next` past them.
 */
export function fetchedPartition(
  partition: fetchV17.FetchResponsePartition,
  from: bigint,
): FetchedPartition {
  const records: ConsumedRecord[] = [];
  let next: bigint | undefined;
  let leaderEpoch = -1;
  for (const batch of partition.records ?? []) {
    const end = batch.firstOffset + BigInt(batch.lastOffsetDelta) + 1n;
    if (end <= from) continue;
    next = next === undefined || end > next ? end : next;
    leaderEpoch = batch.partitionLeaderEpoch;
    if (batch.attributes & IS_CONTROL) continue;
    for (const record of batch.records) {
      const offset = batch.firstOffset + BigInt(record.offsetDelta);
      if (offset < from) continue;
      records.push({
        key: record.key,
        value: record.value,
        headers: headersOf(record),
        offset: offset.toString(),
        timestamp: (batch.firstTimestamp + record.timestampDelta).toString(),
      });
    }
  }
  return { records, next, leaderEpoch };
}

/** Header names as strings, values as the broker sent them; a repeated name gives an array. */
function headersOf(record: KafkaRecord): RawHeaders {
  const headers: RawHeaders = {};
  for (const [name, value] of record.headers) {
    if (name === null) continue;
    const key = name.toString();
    const previous = headers[key];
    const current = value ?? undefined;
    if (previous === undefined) headers[key] = current;
    else if (current !== undefined)
      headers[key] = Array.isArray(previous) ? [...previous, current] : [previous, current];
  }
  return headers;
}
