import { DeadLetterHeaders, Headers, headerString, type RawHeaders } from '@troupe/kit';
import { shorten } from '../shared/table';
import { RedriveHeaders } from './redrive-headers';

/** A dead-lettered record as `troupe dlq list` shows it: where it is, what it is, why it failed. */
export interface DeadLetterRow {
  partition: number;
  offset: string;
  key?: string;
  eventType?: string;
  eventId?: string;
  errorCode?: string;
  errorClass?: string;
  errorMessage?: string;
  service?: string;
  attempts?: number;
  originalTopic?: string;
  firstFailureAt?: string;
  lastFailureAt?: string;
  /** Set when the record was redriven before and failed again. */
  redrivenFrom?: string;
}

export interface ConsumedRecord {
  partition: number;
  offset: string;
  key: Buffer | null;
  headers?: RawHeaders;
}

/** Reads the CloudEvents and troupe-dlq-* headers; a missing header leaves its field undefined. */
export function deadLetterRow(record: ConsumedRecord): DeadLetterRow {
  const h = (name: string) => headerString(record.headers, name);
  const attempts = h(DeadLetterHeaders.attempts);
  const row: DeadLetterRow = { partition: record.partition, offset: record.offset };
  const fields: [keyof DeadLetterRow, string | undefined][] = [
    ['key', record.key?.toString() ?? h(DeadLetterHeaders.originalKey)],
    ['eventType', h(Headers.type)],
    ['eventId', h(Headers.id)],
    ['errorCode', h(DeadLetterHeaders.errorCode)],
    ['errorClass', h(DeadLetterHeaders.errorClass)],
    ['errorMessage', h(DeadLetterHeaders.errorMessage)],
    ['service', h(DeadLetterHeaders.service)],
    ['originalTopic', h(DeadLetterHeaders.originalTopic)],
    ['firstFailureAt', h(DeadLetterHeaders.firstFailureAt)],
    ['lastFailureAt', h(DeadLetterHeaders.lastFailureAt)],
    ['redrivenFrom', h(RedriveHeaders.redrivenFrom)],
  ];
  for (const [field, value] of fields)
    if (value !== undefined) Object.assign(row, { [field]: value });
  if (attempts !== undefined && /^\d+$/.test(attempts)) row.attempts = Number(attempts);
  return row;
}

export const DEAD_LETTER_COLUMNS = [
  'OFFSET',
  'KEY',
  'TYPE',
  'ERROR',
  'SERVICE',
  'ATTEMPTS',
  'LAST FAILURE',
];

/** The row's table cells, in DEAD_LETTER_COLUMNS order; `-` where a header was missing. */
export function deadLetterCells(row: DeadLetterRow): string[] {
  const error = [row.errorCode ?? row.errorClass, row.errorMessage]
    .filter((part) => part !== undefined)
    .join(': ');
  return [
    `${row.partition}:${row.offset}`,
    row.key === undefined ? '-' : shorten(row.key, 24),
    row.eventType ?? '-',
    error === '' ? '-' : shorten(error, 72),
    row.service ?? '-',
    row.attempts === undefined ? '-' : String(row.attempts),
    row.lastFailureAt ?? '-',
  ];
}

/** What `--filter-type` and `--filter-error` select. */
export interface DeadLetterFilter {
  /** The event type (ce_type), exactly. */
  eventType?: string;
  /** The error code (troupe-dlq-error-code) or the error class, exactly. */
  error?: string;
}

export function matchesFilter(row: DeadLetterRow, filter: DeadLetterFilter): boolean {
  if (filter.eventType !== undefined && row.eventType !== filter.eventType) return false;
  if (
    filter.error !== undefined &&
    row.errorCode !== filter.error &&
    row.errorClass !== filter.error
  )
    return false;
  return true;
}

export function isFiltered(filter: DeadLetterFilter): boolean {
  return filter.eventType !== undefined || filter.error !== undefined;
}
