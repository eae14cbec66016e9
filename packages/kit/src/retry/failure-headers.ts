import { RawHeaders, headerString } from '../events/headers';

/**
 * Headers on records in `<topic>.retry.<n>`. The CloudEvents headers of the original record
 * are kept as they were; these say where the event came from and when it is due again.
 */
export const RetryHeaders = {
  originalTopic: 'troupe-retry-original-topic',
  originalPartition: 'troupe-retry-original-partition',
  originalOffset: 'troupe-retry-original-offset',
  /** The service whose handler failed: only that service's retry consumer handles the record. */
  service: 'troupe-retry-service',
  level: 'troupe-retry-level',
  /** Handler calls made so far, over all deliveries. */
  attempts: 'troupe-retry-attempts',
  /** ISO-8601 time before which the record must not be handled. */
  dueAt: 'troupe-retry-due-at',
  firstFailureAt: 'troupe-retry-first-failure-at',
  errorClass: 'troupe-retry-error-class',
  errorMessage: 'troupe-retry-error-message',
} as const;

/**
 * Headers on records in `<topic>.dlq`, added to the original CloudEvents headers.
 * Times are ISO-8601; the error message is cut at 1000 characters.
 */
export const DeadLetterHeaders = {
  originalTopic: 'troupe-dlq-original-topic',
  originalPartition: 'troupe-dlq-original-partition',
  originalOffset: 'troupe-dlq-original-offset',
  originalKey: 'troupe-dlq-original-key',
  errorClass: 'troupe-dlq-error-class',
  /**
   * A TroupeError's code, one of `errorCodes` (errors.ts: PERMANENT, DECODE_INVALID_BODY,
   * HANDLER_TIMEOUT, …), else the class name (or the `code` a non-Troupe error carries).
   */
  errorCode: 'troupe-dlq-error-code',
  errorMessage: 'troupe-dlq-error-message',
  attempts: 'troupe-dlq-attempts',
  service: 'troupe-dlq-service',
  firstFailureAt: 'troupe-dlq-first-failure-at',
  lastFailureAt: 'troupe-dlq-last-failure-at',
} as const;

const MAX_MESSAGE = 1000;

/** Where an event first arrived (its main topic), and what earlier deliveries recorded. */
export interface DeliveryHistory {
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  level: number;
  /** Handler calls before this delivery. */
  priorAttempts: number;
  firstFailureAt?: string;
  dueAt?: Date;
  service?: string;
}

/**
 * Reads the retry headers of a consumed record. A record without them is a first delivery from
 * its main topic at (topic, partition, offset).
 */
export function readDeliveryHistory(
  headers: RawHeaders | undefined,
  at: { topic: string; partition: number; offset: string },
): DeliveryHistory {
  const originalTopic = headerString(headers, RetryHeaders.originalTopic);
  if (originalTopic === undefined) {
    return {
      originalTopic: at.topic,
      originalPartition: at.partition,
      originalOffset: at.offset,
      level: 0,
      priorAttempts: 0,
    };
  }
  const due = headerString(headers, RetryHeaders.dueAt);
  return {
    originalTopic,
    originalPartition: Number(
      headerString(headers, RetryHeaders.originalPartition) ?? at.partition,
    ),
    originalOffset: headerString(headers, RetryHeaders.originalOffset) ?? at.offset,
    level: Number(headerString(headers, RetryHeaders.level) ?? 0),
    priorAttempts: Number(headerString(headers, RetryHeaders.attempts) ?? 0),
    firstFailureAt: headerString(headers, RetryHeaders.firstFailureAt),
    dueAt: due === undefined ? undefined : new Date(due),
    service: headerString(headers, RetryHeaders.service),
  };
}

export interface FailureFacts {
  history: DeliveryHistory;
  service: string;
  error: Error;
  errorCode: string;
  /** Handler calls over all deliveries, this one included. */
  attempts: number;
  failedAt: Date;
  key?: string;
}

/** The original headers without any troupe-retry-* or troupe-dlq-* left from earlier hops. */
export function withoutFailureHeaders(
  headers: RawHeaders | undefined,
): Record<string, Buffer | string> {
  const kept: Record<string, Buffer | string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined || name.startsWith('troupe-retry-') || name.startsWith('troupe-dlq-'))
      continue;
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) kept[name] = last;
  }
  return kept;
}

export function retryHeaders(
  facts: FailureFacts,
  level: number,
  dueAt: Date,
): Record<string, string> {
  const h = facts.history;
  return {
    [RetryHeaders.originalTopic]: h.originalTopic,
    [RetryHeaders.originalPartition]: String(h.originalPartition),
    [RetryHeaders.originalOffset]: h.originalOffset,
    [RetryHeaders.service]: facts.service,
    [RetryHeaders.level]: String(level),
    [RetryHeaders.attempts]: String(facts.attempts),
    [RetryHeaders.dueAt]: dueAt.toISOString(),
    [RetryHeaders.firstFailureAt]: h.firstFailureAt ?? facts.failedAt.toISOString(),
    [RetryHeaders.errorClass]: facts.error.name,
    [RetryHeaders.errorMessage]: truncate(facts.error.message),
  };
}

export function deadLetterHeaders(facts: FailureFacts): Record<string, string> {
  const h = facts.history;
  const headers: Record<string, string> = {
    [DeadLetterHeaders.originalTopic]: h.originalTopic,
    [DeadLetterHeaders.originalPartition]: String(h.originalPartition),
    [DeadLetterHeaders.originalOffset]: h.originalOffset,
    [DeadLetterHeaders.errorClass]: facts.error.name,
    [DeadLetterHeaders.errorCode]: facts.errorCode,
    [DeadLetterHeaders.errorMessage]: truncate(facts.error.message),
    [DeadLetterHeaders.attempts]: String(facts.attempts),
    [DeadLetterHeaders.service]: facts.service,
    [DeadLetterHeaders.firstFailureAt]: h.firstFailureAt ?? facts.failedAt.toISOString(),
    [DeadLetterHeaders.lastFailureAt]: facts.failedAt.toISOString(),
  };
  if (facts.key !== undefined) headers[DeadLetterHeaders.originalKey] = facts.key;
  return headers;
}

function truncate(text: string): string {
  return text.length <= MAX_MESSAGE ? text : `${text.slice(0, MAX_MESSAGE - 1)}…`;
}
