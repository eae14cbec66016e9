import { DecodeError } from '../codec/codec';
import { ConfigError, PermanentError, TroupeError } from '../errors';

/**
 * The dependency guarding a call is failing fast. Not a failure of the event: the consumer
 * pauses the partition and re-handles the event when the breaker lets calls through again.
 */
export class BreakerOpenError extends TroupeError {
  constructor(
    readonly breaker: string,
    cause?: unknown,
  ) {
    super(
      'BREAKER_OPEN',
      `circuit breaker "${breaker}" is open: calls to that dependency are failing fast`,
      { cause },
    );
  }
}

/**
 * The delivery was cut short because the consumer is stopping or lost the partition. Not a
 * failure of the event: its offset is not committed, so it is handled again after restart.
 */
export class DeliveryAbortedError extends TroupeError {
  constructor(reason: string) {
    super('DELIVERY_ABORTED', `delivery aborted: ${reason}`);
  }
}

/** A handler call took longer than its timeout. Retryable: the next attempt may be faster. */
export class HandlerTimeoutError extends TroupeError {
  constructor(
    readonly timeoutMs: number,
    eventType: string,
    /**
     * The timed-out call, which may go on running (work that ignores its signal). Whoever guards
     * "one run at a time" (dedup) waits for it before letting the event run again.
     */
    readonly stillRunning?: Promise<void>,
  ) {
    super('HANDLER_TIMEOUT', `handler for ${eventType} did not finish within ${timeoutMs}ms`);
  }
}

/**
 * Marks an error as "not this event's fault, try the same offset again shortly": a dependency
 * that the whole partition needs is unavailable (the dedup store's Redis), or another consumer
 * holds the event's lease. Retrying in place or moving the event to a retry topic would only
 * spend attempts and break order per key.
 */
export interface RedeliverLater {
  readonly redeliverLater: true;
}

export function isRedeliverLater(error: Error): boolean {
  return (error as Partial<RedeliverLater>).redeliverLater === true;
}

/** `deferred`: not the event's fault; handle it again later without spending a retry. */
export type FailureKind = 'retryable' | 'permanent' | 'deferred';

/** Extra rule a service can add: return true for errors that retrying cannot fix. */
export type PermanentErrorPredicate = (error: Error) => boolean;

const VALIDATION_ERROR_NAMES = new Set(['ZodError', 'ValidationError', 'SchemaValidationError']);

/**
 * Sorts a failure into what the runtime does with it:
 * - deferred: a breaker is open, the consumer is stopping, or the error is RedeliverLater; the
 *   offset stays, no retry is spent;
 * - permanent: PermanentError, DecodeError, ConfigError, validation errors (zod's ZodError and
 *   anything named ValidationError), or errors carrying `retryable: false` → straight to the DLQ;
 * - retryable: everything else, including non-Error throws (converted by toError first).
 */
export function classifyFailure(error: Error, isPermanent?: PermanentErrorPredicate): FailureKind {
  if (
    error instanceof BreakerOpenError ||
    error instanceof DeliveryAbortedError ||
    isRedeliverLater(error)
  )
    return 'deferred';
  if (
    error instanceof PermanentError ||
    error instanceof DecodeError ||
    error instanceof ConfigError
  )
    return 'permanent';
  if (VALIDATION_ERROR_NAMES.has(error.name)) return 'permanent';
  if ((error as { retryable?: unknown }).retryable === false) return 'permanent';
  if (isPermanent?.(error)) return 'permanent';
  return 'retryable';
}

/** The `code` of a TroupeError (or of any error that has a string code), else the class name. */
export function errorCode(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error.name;
}
