import {
  Attributes,
  Context,
  ROOT_CONTEXT,
  Span,
  SpanContext,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';
import { Headers, RawHeaders, headerString } from '../events/headers';
import type { OutgoingRecord, TopicRecords } from '../kafka/records';
import { formatTraceparent, parseTraceparent } from './trace-context';
import { tracingEnabled, troupeTracer } from './tracing-enabled';

/**
 * PRODUCER spans for what Troupe sends, by the OpenTelemetry messaging semantic conventions
 * (semantic-conventions v1.44.0, docs/messaging/kafka.md "Send span (producer)"): one span
 * `send <topic>` per record, kind PRODUCER, `messaging.operation.type` and `.name` both `send`. The
 * span's context is the record's creation context: it replaces the record's `traceparent` header,
 * so the consumer's `process <topic>` span is its child. Every function here runs only once
 * `tracingEnabled()` said yes; without an SDK nothing is started and headers pass on unchanged.
 */

/** Trace headers Troupe adds besides W3C `traceparent`. */
export const TraceHeaders = {
  /**
   * The `traceparent` of the event's first delivery, set when a failed record moves to a retry or
   * dead-letter topic and kept across later hops: the process span of a retried delivery links to it.
   */
  originalTraceparent: 'troupe-original-traceparent',
} as const;

/** Where the send span of a record that already carries a trace context finds its parent. */
export type SendParent =
  /** The record's own `traceparent`: the context captured when an outbox row was added. */
  | 'record'
  /**
   * The active span when there is one (the process span of the delivery that failed, when the
   * failure router moves a record on), else the record's own `traceparent`.
   */
  | 'active-else-record';

/**
 * Starts one record's send span under `parent`, linked to `link` when given (the creation context
 * the record carried before: an outbox row's captured context, a dead-lettered record's). The
 * attributes are read from the record: its key, its partition when the caller chose one, and its
 * CloudEvents headers (`ce_id`, `ce_correlationid`, `ce_type`, `ce_source`).
 */
export function startSendSpan(
  topic: string,
  record: OutgoingRecord,
  parent: Context,
  link?: SpanContext,
): Span {
  return troupeTracer().startSpan(
    `send ${topic}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: sendAttributes(topic, record),
      links: link ? [{ context: link }] : undefined,
    },
    parent,
  );
}

/** The span's context as a `traceparent` header value. */
export function spanTraceparent(span: Span): string {
  return formatTraceparent(span.spanContext());
}

/**
 * Ends send spans once the broker answered: with status ERROR and `error.type` (the error's code,
 * else its class name) when the send failed, unset otherwise.
 */
export function endSendSpans(spans: readonly Span[], error?: unknown): void {
  const failure = error === undefined ? undefined : describeError(error);
  for (const span of spans) {
    if (failure) {
      span.setAttribute('error.type', failure.type);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
    }
    span.end();
  }
}

/**
 * Sends records that already carry a trace context (outbox rows, records moved to retry and
 * dead-letter topics, redriven records) inside one send span each: the span's parent is chosen by
 * `parent`, it links to the record's previous `traceparent` when `link` is set, and the record
 * goes out with the span's context as its `traceparent` (the caller's records are not modified).
 * Without an SDK, `send` gets the batch as it is.
 */
export async function sendTraced<T>(
  batch: readonly TopicRecords[],
  send: (batch: readonly TopicRecords[]) => Promise<T>,
  how: { parent: SendParent; link: boolean },
): Promise<T> {
  if (!tracingEnabled()) return send(batch);
  const active = how.parent === 'active-else-record' ? activeContext() : undefined;
  const spans: Span[] = [];
  const traced = batch.map(({ topic, records }) => ({
    topic,
    records: records.map((record) => {
      const captured = parseTraceparent(headerString(record.headers, Headers.traceparent));
      const parent =
        active ?? (captured ? trace.setSpanContext(ROOT_CONTEXT, captured) : ROOT_CONTEXT);
      const span = startSendSpan(topic, record, parent, how.link ? captured : undefined);
      spans.push(span);
      return {
        ...record,
        headers: { ...record.headers, [Headers.traceparent]: spanTraceparent(span) },
      };
    }),
  }));
  let result: T;
  try {
    result = await send(traced);
  } catch (error) {
    endSendSpans(spans, error);
    throw error;
  }
  endSendSpans(spans);
  return result;
}

/** The active context when it holds a valid span, else undefined. */
export function activeContext(): Context | undefined {
  const active = context.active();
  const span = trace.getSpanContext(active);
  return span && isSpanContextValid(span) ? active : undefined;
}

function sendAttributes(topic: string, record: OutgoingRecord): Attributes {
  const headers: RawHeaders | undefined = record.headers;
  const attributes: Attributes = {
    'messaging.system': 'kafka',
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'send',
    'messaging.destination.name': topic,
  };
  if (record.partition !== undefined)
    attributes['messaging.destination.partition.id'] = String(record.partition);
  if (record.key !== null && record.key !== undefined)
    attributes['messaging.kafka.message.key'] = record.key.toString();
  if (record.value === null) attributes['messaging.kafka.message.tombstone'] = true;
  setHeader(attributes, 'messaging.message.id', headers, Headers.id);
  setHeader(attributes, 'messaging.message.conversation_id', headers, Headers.correlationId);
  setHeader(attributes, 'cloudevents.event_type', headers, Headers.type);
  setHeader(attributes, 'cloudevents.event_source', headers, Headers.source);
  return attributes;
}

function setHeader(
  attributes: Attributes,
  attribute: string,
  headers: RawHeaders | undefined,
  header: string,
): void {
  const value = headerString(headers, header);
  if (value !== undefined) attributes[attribute] = value;
}

function describeError(error: unknown): { type: string; message: string } {
  if (!(error instanceof Error)) return { type: '_OTHER', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { type: typeof code === 'string' ? code : error.name, message: error.message };
}
