import type { OutgoingRecord } from '../kafka/records';
import type { RawHeaders } from '../events/headers';
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
    await this.options.sender.sendRaw(destination.topic, [
      { key: record.key, value: record.value, headers },
    ]);
    return destination;
  }
}
