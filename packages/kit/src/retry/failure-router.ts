import type { OutgoingRecord } from '../kafka/records';
import { Headers, RawHeaders, headerString } from '../events/headers';
import { TraceHeaders, sendTraced } from '../observability/send-span';
import { tracingEnabled } from '../observability/tracing-enabled';
import { FailureKind, PermanentErrorPredicate, classifyFailure, errorCode } from './classify';
import {
  DeliveryHistory,
  FailureFacts,
  deadLetterHeaders,
  retryHeaders,
  withoutFailureHeaders,
} from './failure-headers';
import { Destination, nextDestination } from './retry-topics';

/** Sends records unchanged; the Publisher implements it. */
export interface RawSender {
  sendRaw(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
}

/** A consumed record that could not be handled, with what its headers say about earlier tries. */
export interface FailedRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers: RawHeaders | undefined;
  history: DeliveryHistory;
}

export interface FailureRouterOptions {
  service: string;
  sender: RawSender;
  /** Delay of each retry topic; empty sends every failure straight to the DLQ. */
  topicDelaysMs: readonly number[];
  isPermanent?: PermanentErrorPredicate;
  now?: () => Date;
}

/**
 * Moves a failed record on: to the next `<topic>.retry.<n>` while retry topics remain and the
 * error is retryable, else to `<topic>.dlq`. The record's key, value and original headers are
 * sent unchanged, so nothing is re-encoded and the payload stays exactly what was received.
 *
 * Tracing, with an OpenTelemetry SDK registered: the re-send runs in a PRODUCER span
 * `send <retry or dlq topic>`, a child of the active span (the process span of the delivery that
 * failed; the record's own context when none is active, e.g. an undecodable record) and linked to
 * the record's context; the record goes on with the span's context as its `traceparent` and keeps
 * its first delivery's in `troupe-original-traceparent`. Without an SDK the headers, traceparent
 * included, go on as they came.
 */
export class FailureRouter {
  private readonly now: () => Date;

  constructor(private readonly options: FailureRouterOptions) {
    this.now = options.now ?? (() => new Date());
  }

  get service(): string {
    return this.options.service;
  }

  kindOf(error: Error): FailureKind {
    return classifyFailure(error, this.options.isPermanent);
  }

  /** @param attempts handler calls over all deliveries, this one included (0 when never handled, e.g. undecodable). */
  async route(record: FailedRecord, error: Error, attempts: number): Promise<Destination> {
    const kind = this.kindOf(error);
    if (kind === 'deferred') throw error; // not a failure of the event: the consumer pauses or stops instead
    const failedAt = this.now();
    const destination = nextDestination({
      topic: record.history.originalTopic,
      level: record.history.level,
      kind,
      delaysMs: this.options.topicDelaysMs,
      now: failedAt,
    });
    const facts: FailureFacts = {
      history: record.history,
      service: this.options.service,
      error,
      errorCode: errorCode(error),
      attempts,
      failedAt,
      key: record.key?.toString(),
    };
    const added =
      destination.kind === 'retry'
        ? retryHeaders(facts, destination.level, destination.dueAt)
        : deadLetterHeaders(facts);
    const headers = { ...withoutFailureHeaders(record.headers), ...added };
    const records = [{ key: record.key, value: record.value, headers }];
    if (!tracingEnabled()) {
      await this.options.sender.sendRaw(destination.topic, records);
      return destination;
    }
    const original =
      headerString(record.headers, TraceHeaders.originalTraceparent) ??
      headerString(record.headers, Headers.traceparent);
    if (original !== undefined) headers[TraceHeaders.originalTraceparent] = original;
    await sendTraced(
      [{ topic: destination.topic, records }],
      (traced) => this.options.sender.sendRaw(destination.topic, traced[0]?.records ?? []),
      { parent: 'active-else-record', link: true },
    );
    return destination;
  }
}
