import { TroupeError } from '../errors';

/**
 * Redis could not answer a dedup command in time (down, unreachable, timed out, or replied
 * with an error). Retryable: nothing was skipped, the event is not done and must be retried
 * later. The runtime's breaker counts these to open and pause the consumer.
 */
export class DedupUnavailableError extends TroupeError {
  readonly retryable = true;

  constructor(operation: string, key: string | undefined, cause: unknown) {
    const where = key === undefined ? operation : `${operation} ${key}`;
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      'DEDUP_UNAVAILABLE',
      `dedup store: expected a Redis reply for ${where}, found error: ${why}`,
      {
        cause,
      },
    );
  }
}

/**
 * Another owner holds a live lease on this key: the event is being handled elsewhere and is not
 * done yet. Retryable: retry later, do not commit the offset (the other owner may still fail).
 */
export class DedupBusyError extends TroupeError {
  readonly retryable = true;

  constructor(
    readonly key: string,
    readonly holder: string,
  ) {
    super(
      'DEDUP_BUSY',
      `dedup key ${key}: expected it free or done, found a live lease of ${holder}`,
    );
  }
}
