import { DeadLetterHeaders, RetryHeaders, headerString, type RawHeaders } from '@troupe/kit';
import { parseRetryTopic } from '@troupe/kit/internal';
import { RedriveHeaders } from '../dlq/redrive-headers';

/**
 * How a record came to be where it was read, when it is a copy of an event rather than its
 * first publication: moved to `<topic>.retry.<n>` or `<topic>.dlq` by a failing service, or
 * republished by `troupe dlq redrive`. Fields are undefined where a header was missing.
 */
export type Hop =
  | {
      kind: 'retry';
      level: number;
      service?: string;
      attempts?: number;
      dueAt?: string;
      errorClass?: string;
      errorMessage?: string;
    }
  | {
      kind: 'dead-letter';
      service?: string;
      attempts?: number;
      errorCode?: string;
      errorClass?: string;
      errorMessage?: string;
      originalTopic?: string;
    }
  | { kind: 'redriven'; from: string };

/** The hop a record made, from its topic's name and its troupe-retry-* / troupe-dlq-* headers. */
export function hopOf(topic: string, headers: RawHeaders | undefined): Hop | undefined {
  const h = (name: string) => headerString(headers, name);
  const count = (text: string | undefined) =>
    text !== undefined && /^\d+$/.test(text) ? Number(text) : undefined;
  if (topic.endsWith('.dlq') || h(DeadLetterHeaders.originalTopic) !== undefined) {
    return defined({
      kind: 'dead-letter' as const,
      service: h(DeadLetterHeaders.service),
      attempts: count(h(DeadLetterHeaders.attempts)),
      errorCode: h(DeadLetterHeaders.errorCode),
      errorClass: h(DeadLetterHeaders.errorClass),
      errorMessage: h(DeadLetterHeaders.errorMessage),
      originalTopic: h(DeadLetterHeaders.originalTopic),
    });
  }
  const level = parseRetryTopic(topic)?.level ?? count(h(RetryHeaders.level));
  if (level !== undefined) {
    return defined({
      kind: 'retry' as const,
      level,
      service: h(RetryHeaders.service),
      attempts: count(h(RetryHeaders.attempts)),
      dueAt: h(RetryHeaders.dueAt),
      errorClass: h(RetryHeaders.errorClass),
      errorMessage: h(RetryHeaders.errorMessage),
    });
  }
  const from = h(RedriveHeaders.redrivenFrom);
  if (from !== undefined) return { kind: 'redriven', from };
  return undefined;
}

/** The short mark after the event type: `(retry 2)`, `(dead letter)`, `(redriven)`. */
export function hopMark(hop: Hop): string {
  if (hop.kind === 'retry') return `(retry ${hop.level})`;
  if (hop.kind === 'dead-letter') return '(dead letter)';
  return '(redriven)';
}

/** One line on why the copy exists: who moved it, after how many attempts, and the error. */
export function hopLine(hop: Hop): string {
  if (hop.kind === 'redriven') return `redriven from ${hop.from}`;
  const by = hop.service === undefined ? '' : ` by ${hop.service}`;
  const after =
    hop.attempts === undefined
      ? ''
      : ` after ${hop.attempts} attempt${hop.attempts === 1 ? '' : 's'}`;
  if (hop.kind === 'retry') {
    const due = hop.dueAt === undefined ? '' : `, due ${hop.dueAt}`;
    const error = [hop.errorClass, hop.errorMessage].filter((p) => p !== undefined).join(': ');
    return `retry ${hop.level}${by}${after}${due}${error === '' ? '' : `: ${error}`}`;
  }
  const error = [hop.errorCode ?? hop.errorClass, hop.errorMessage]
    .filter((p) => p !== undefined)
    .join(': ');
  return `dead-lettered${by}${after}${error === '' ? '' : `: ${error}`}`;
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
