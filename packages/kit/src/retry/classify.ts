import { ErrorCode, PermanentError, TroupeError } from '../errors';

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
 * What a TroupeError's code says about the failure. `retryable` here means "the code does not
 * make it permanent or deferred": classifyFailure still applies `retryable: false` and the
 * service's predicate. Exhaustive: a code added to errorCodes does not compile until it is here.
 */
export function failureKindOfCode(code: ErrorCode): FailureKind {
  switch (code) {
    // Not the event's fault: pause or stop, spend no retry.
    case 'BREAKER_OPEN':
    case 'DELIVERY_ABORTED':
    case 'DEDUP_UNAVAILABLE':
    case 'DEDUP_BUSY':
      return 'deferred';
    // Retrying the same bytes cannot help.
    case 'PERMANENT':
    case 'VALIDATION_FAILED':
    case 'EVENT_INVALID':
    case 'UNKNOWN_EVENT_TYPE':
    case 'CONFIG_INVALID':
    case 'DECODE_EMPTY_PAYLOAD':
    case 'DECODE_WRONG_MAGIC_BYTE':
    case 'DECODE_TRUNCATED':
    case 'DECODE_UNKNOWN_SCHEMA_ID':
    case 'DECODE_UNRESOLVABLE_SCHEMA':
    case 'DECODE_INVALID_BODY':
    case 'DECODE_UNKNOWN_EVENT_TYPE':
      return 'permanent';
    // A dependency or time: the next attempt may succeed. REGISTRY_REJECTED stays retryable: a
    // schema not registered yet is fixed by registering it, and then the event goes through.
    // The rest (SERVICE_INVALID to READ_RANGE) are raised outside handlers (definitions, schema
    // files, the CLI): retryable, like any error nothing marks otherwise.
    case 'TIMEOUT':
    case 'HANDLER_TIMEOUT':
    case 'REGISTRY_UNAVAILABLE':
    case 'REGISTRY_REJECTED':
    case 'FAILURE_ROUTING':
    case 'OUTBOX_PUBLISH_FAILED':
    case 'TOPIC_MISSING':
    case 'TOPIC_NOT_READY':
    case 'UNREACHABLE':
    case 'WEBHOOK_FAILED':
    case 'SERVICE_INVALID':
    case 'SCHEMA_FILE_INVALID':
    case 'CATALOG_INVALID':
    case 'KAFKA_UNREACHABLE':
    case 'TOPIC_UNKNOWN':
    case 'TOPIC_CHANGE_FAILED':
    case 'READ_RANGE':
      return 'retryable';
    default: {
      // Compile time: every code is decided above. Run time (a code from another build of the
      // kit): like any error nothing marks otherwise.
      const unclassified: never = code;
      void unclassified;
      return 'retryable';
    }
  }
}

/**
 * Sorts a failure into what the runtime does with it:
 * - a TroupeError by its code (failureKindOfCode): deferred for an open breaker, a stopping
 *   consumer, an unavailable or busy dedup store; permanent for PermanentError and its subclasses,
 *   DecodeError and ConfigError codes;
 * - deferred: any other error marked RedeliverLater; the offset stays, no retry is spent;
 * - permanent: validation errors (zod's ZodError and anything named ValidationError), or errors
 *   carrying `retryable: false`, or what the service's predicate says → straight to the DLQ;
 * - retryable: everything else, including non-Error throws (converted by toError first).
 */
export function classifyFailure(error: Error, isPermanent?: PermanentErrorPredicate): FailureKind {
  const byCode = error instanceof TroupeError ? failureKindOfCode(error.code) : undefined;
  if (byCode === 'deferred' || isRedeliverLater(error)) return 'deferred';
  // A PermanentError stays permanent whatever code a subclass gives it.
  if (byCode === 'permanent' || error instanceof PermanentError) return 'permanent';
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
