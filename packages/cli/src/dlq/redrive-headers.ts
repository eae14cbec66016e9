import { DeadLetterHeaders, headerString, type RawHeaders } from '@troupe/kit';
import { type OutgoingRecord } from '@troupe/kit/internal';

export const RedriveHeaders = {
  /** `<dlq topic>:<partition>:<offset>` of the dead-lettered record a redriven one was copied from. */
  redrivenFrom: 'troupe-redriven-from',
} as const;

/** Where in the dead-letter topic a record was read. */
export interface DeadLetterPosition {
  topic: string;
  partition: number;
  offset: string;
}

export interface DeadLetteredRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RawHeaders;
}

/**
 * The record to republish: the original key (the dead-letter record's key, else the
 * troupe-dlq-original-key header), the value byte for byte, and every header except the
 * failure bookkeeping (troupe-dlq-*, troupe-retry-*), plus troupe-redriven-from naming the
 * dead-letter record. ce_id is kept on purpose: consumers that already handled the event skip
 * it through their dedup store; the one that failed handles it again.
 */
export function redrivenMessage(
  record: DeadLetteredRecord,
  from: DeadLetterPosition,
): OutgoingRecord {
  const headers: RawHeaders = {};
  for (const [name, value] of Object.entries(record.headers ?? {})) {
    if (value === undefined || isFailureHeader(name)) continue;
    headers[name] = value;
  }
  headers[RedriveHeaders.redrivenFrom] = `${from.topic}:${from.partition}:${from.offset}`;
  const originalKey = headerString(record.headers, DeadLetterHeaders.originalKey);
  const key = record.key ?? (originalKey === undefined ? null : Buffer.from(originalKey));
  return { key, value: record.value, headers };
}

function isFailureHeader(name: string): boolean {
  return (
    name.startsWith('troupe-dlq-') ||
    name.startsWith('troupe-retry-') ||
    name === RedriveHeaders.redrivenFrom
  );
}

/** `--to` when given, else the troupe-dlq-original-topic header; undefined when neither says. */
export function redriveDestination(
  headers: RawHeaders | undefined,
  to?: string,
): string | undefined {
  return to ?? headerString(headers, DeadLetterHeaders.originalTopic);
}
