import type { TopicRecords } from './records';

/**
 * How a producer is made. There is no option to weaken it: every driver's producer is idempotent
 * (broker retries never duplicate or reorder a record), waits for all in-sync replicas (acks=all)
 * and never creates a topic; a record for a topic that does not exist is refused with an
 * UnknownTopicError naming it.
 */
export interface ProducerOptions {
  /** gzip, or none (default). */
  compression?: 'none' | 'gzip';
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
