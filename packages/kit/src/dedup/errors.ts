import { TroupeError } from '../errors';
import type { RedeliverLater } from '../retry/classify';

/**
 * Redis could not answer a dedup command in time (down, unreachable, timed out, or replied
 * with an error). Nothing was skipped and the event is not done: the runtime pauses the partition
 * and handles the same offset again after its redelivery delay, spending no retry, until Redis
 * answers.
 */
export class DedupUnavailableError extends TroupeError implements RedeliverLater {
  readonly retryable = true;
  readonly redeliverLater = true;

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
 * done yet. The offset is not committed (the other owner may still fail): the runtime pauses the
 * partition and tries the same offset again later, spending no retry.
 */
export class DedupBusyError extends TroupeError implements RedeliverLater {
  readonly retryable = true;
  readonly redeliverLater = true;

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
