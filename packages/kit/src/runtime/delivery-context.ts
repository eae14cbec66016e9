import type { Logger } from 'pino';
import type { BreakerRegistry } from '../breaker/breaker-registry';
import type { DependencyBreaker } from '../breaker/dependency-breaker';
import type { Envelope, EventMetadata } from '../events/envelope';
import type { EventContext, InboundEvent, PublishOptions } from '../middleware/types';
import type { HandlingOutcome } from '../observability/metrics';
import { InvalidEventError } from '../publish/to-message';
import type { Publisher } from '../publish/publisher';
import { newTraceparent } from '../observability/trace-context';

/** What every delivery of one service shares. */
export interface ContextEnvironment {
  service: string;
  logger: Logger;
  publisher: Publisher;
  publishes: Readonly<Record<string, string | undefined>>;
  breakers: BreakerRegistry;
  /** Aborted at the service's stop deadline. */
  signal: AbortSignal;
}

/**
 * The per-delivery context. One instance per consumed event, shared along the middleware chain
 * and handed to the handler (typed there as HandlerContext). Publishes it starts are tracked so
 * that a publish the handler forgot to await still has to succeed before the offset is committed.
 */
export class DeliveryContext implements EventContext {
  attempts = 0;
  outcome?: HandlingOutcome;
  failure?: Error;
  traceparent?: string;
  once?: <T>(key: string, fn: () => Promise<T>) => Promise<T | undefined>;
  private logger?: Logger;
  private pending?: Promise<void>[];
  private call?: { controller: AbortController; signal: AbortSignal };
  private failedPublishes?: unknown[];

  constructor(
    readonly event: InboundEvent,
    private readonly env: ContextEnvironment,
  ) {}

  get signal(): AbortSignal {
    if (!this.call) {
      const controller = new AbortController();
      // AbortSignal.any holds the service's stop signal weakly: no listener piles up on it.
      this.call = { controller, signal: AbortSignal.any([this.env.signal, controller.signal]) };
    }
    return this.call.signal;
  }

  abortCall(reason: unknown): void {
    this.call?.controller.abort(reason);
    this.call = undefined;
  }

  get service(): string {
    return this.env.service;
  }

  get metadata(): EventMetadata {
    return this.event.metadata;
  }

  get log(): Logger {
    // A pino child costs more than the rest of a no-op delivery; most deliveries never log.
    this.logger ??= this.env.logger.child({
      eventId: this.event.metadata.id,
      correlationId: this.event.metadata.correlationId,
      causationId: this.event.metadata.causationId,
      type: this.event.type,
    });
    return this.logger;
  }

  publish(type: string, payload: unknown, options: PublishOptions): Promise<Envelope> {
    const topic = options.topic ?? this.env.publishes[type];
    const sent = topic
      ? this.env.publisher.publish({
          type,
          payload,
          topic,
          key: options.key,
          id: options.id,
          time: options.time,
          headers: options.headers,
          correlationId: options.correlationId ?? this.event.metadata.correlationId,
          causationId: options.causationId ?? this.event.metadata.id,
          // Read only when publishing (most deliveries never do); an untraced event starts one
          // trace, shared by everything this delivery publishes.
          traceparent: (this.traceparent ??= this.event.metadata.traceparent ?? newTraceparent()),
        })
      : Promise.reject(
          new InvalidEventError(
            `service ${this.env.service} publishes ${type}, which is not in its "publishes" map and no topic was given`,
          ),
        );
    const tracked = sent.then(
      () => undefined,
      (error: unknown) => void (this.failedPublishes ??= []).push(error),
    );
    (this.pending ??= []).push(tracked);
    // A handler may fire and forget; settlePublishes reports the failure, not an unhandled rejection.
    sent.catch(() => undefined);
    return sent;
  }

  breaker(name: string): DependencyBreaker {
    return this.env.breakers.get(name);
  }

  /**
   * Waits for every publish this attempt started; throws the first failure, awaited by the
   * handler or not. Undefined when there is nothing to wait for (no promise on the hot path).
   */
  settlePublishes(): Promise<void> | undefined {
    const pending = this.pending;
    if (!pending) return undefined;
    this.pending = undefined;
    return this.waitFor(pending);
  }

  private async waitFor(pending: Promise<void>[]): Promise<void> {
    await Promise.all(pending);
    const failed = this.failedPublishes;
    this.failedPublishes = undefined;
    if (failed && failed.length > 0) throw failed[0];
  }
}
