import type { TopicRecords } from './records';

/**
 * ProducerOptions.deliveryTimeoutMs when none is given, and the Publisher's send timeout: two
 * minutes, the Java client's delivery.timeout.ms. Shorter fails callers through outages the
 * cluster recovers from by itself: a single broker SIGKILLed for 15 s answered again 29 s after
 * the kill on a loaded 2-core machine (its log recovered first), and a send given 30 s failed.
 */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 120_000;

/**
 * How a producer is made. There is no option to weaken it: every driver's producer is idempotent
 * (broker retries never duplicate or reorder a record), waits for all in-sync replicas (acks=all)
 * and never creates a topic; a record for a topic that does not exist is refused with an
 * UnknownTopicError naming it.
 */
export interface ProducerOptions {
  /** gzip, or none (default). */
  compression?: 'none' | 'gzip';
  /**
   * How long a send keeps retrying what may pass (a broker down or restarting, a leader moving)
   * before it fails: a time, as the Java client's delivery.timeout.ms, not a number of retries,
   * which a broker restart outlasts. Default 2 minutes (DEFAULT_DELIVERY_TIMEOUT_MS). A driver whose
   * retries are limited on purpose (DriverOptions.retries, a command-line tool) keeps its limit.
   */
  deliveryTimeoutMs?: number;
}

/**
 * Sends keyed records. send() may be called concurrently; each call's records keep their given
 * order within each topic-partition, and records of one call are acknowledged or refused
 * together per partition.
 */
export interface RecordProducer {
  /** Connects; send() connects on its own too. */
  connect(): Promise<void>;
  /**
   * Sends records to any number of topics in one call; resolves once all in-sync replicas have
   * every record. Rejects when any record was refused or `timeoutMs` passed (some records may
   * then have been written: the caller's at-least-once retry repeats them).
   */
  send(batch: readonly TopicRecords[], options?: { timeoutMs?: number }): Promise<void>;
  /** Waits for sends in flight, then closes the connections. */
  disconnect(): Promise<void>;
}
