import type { Logger } from 'pino';
import type { DependencyBreaker } from '../breaker/dependency-breaker';
import type { Envelope, EventMetadata } from '../events/envelope';
import type { RawHeaders } from '../events/headers';
import type { HandlingOutcome } from '../observability/metrics';
import type { DeliveryHistory } from '../retry/failure-headers';

/** A decoded event on its way through the middleware chain to its handler. */
export interface InboundEvent<T = unknown> {
  readonly type: string;
  readonly payload: T;
  readonly metadata: EventMetadata;
  /** Where the event first arrived and what earlier deliveries (retry topics) recorded. */
  readonly history: DeliveryHistory;
  /** The record as received, forwarded unchanged to retry and dead-letter topics. */
  readonly record: { key: Buffer | null; value: Buffer | null; headers: RawHeaders };
}

/** How `ctx.publish` sends one event: its key (required) and optional overrides. */
export interface PublishOptions {
  /** Aggregate key: events with the same key keep their order. */
  key: string;
  /** Overrides the topic the service declared for this event type in `publishes`. */
  topic?: string;
  id?: string;
  time?: Date;
  headers?: Record<string, string>;
  /**
   * The flow this event belongs to; by default the handled event's. Set it when the event answers
   * another flow than the one that triggered it (a sample that reports on a release's canary).
   */
  correlationId?: string;
  /** The event that caused this one; by default the handled event. */
  causationId?: string;
}

/**
 * What every middleware sees: one object per delivery, shared along the chain. Middleware may
 * set `outcome` (dead-letter, dedup), `traceparent` (tracing) and `once` (dedup), and abort the
 * current call's `signal` (timeout).
 */
export interface EventContext {
  readonly service: string;
  readonly metadata: EventMetadata;
  /** Child logger carrying eventId, correlationId and type; created on first use. */
  readonly log: Logger;
  /**
   * Aborted when the handler should give up: its call timed out, or the service's stop deadline
   * passed. Made on first read, so handlers that never look at it cost nothing.
   */
  readonly signal: AbortSignal;
  /** Aborts `signal` for the current handler call (the timeout middleware does); the next call gets a fresh one. */
  abortCall(reason: unknown): void;
  /** Handler calls made so far in this delivery. */
  attempts: number;
  /** How the delivery ended when it did not simply succeed (retry-scheduled, dead-lettered, duplicate…). */
  outcome?: HandlingOutcome;
  /** The error that ended the delivery, when a middleware settled it (e.g. dead-lettered). */
  failure?: Error;
  /** Trace context for events published while handling: the processing span, else the incoming one. */
  traceparent?: string;
  /**
   * Runs `fn` at most once per key for this service (effects that must not repeat on redelivery);
   * resolves undefined when it already ran. Set by the dedup middleware when it is in the chain.
   */
  once?: <T>(key: string, fn: () => Promise<T>) => Promise<T | undefined>;
  /** Publishes with correlationId, causationId and traceparent taken from the event being handled. */
  publish(type: string, payload: unknown, options: PublishOptions): Promise<Envelope>;
  /** The service's shared circuit breaker for the named dependency. */
  breaker(name: string): DependencyBreaker;
}

/** The end of a middleware chain: handles one decoded event; a rejection is a failure (retried unless permanent). */
export type Handler = (event: InboundEvent, ctx: EventContext) => Promise<void>;

/** The fetched batch a batch hook runs for. */
export interface BatchInfo {
  topic: string;
  partition: number;
  signal: AbortSignal;
}

/**
 * `(next) => handler`. A middleware may also be batch-aware: `prepareBatch` runs once per
 * fetched batch before any of its events is handled (e.g. dedup looks up every event id in one
 * Redis pipeline), `finishBatch` once after, with the events whose offsets are about to be
 * committed. A prepareBatch failure re-delivers the batch later; a finishBatch failure is logged.
 */
export interface Middleware {
  (next: Handler): Handler;
  readonly middlewareName?: string;
  prepareBatch?(events: readonly InboundEvent[], batch: BatchInfo): Promise<void>;
  finishBatch?(events: readonly InboundEvent[], batch: BatchInfo): Promise<void>;
}
