/** In-process retry policy: how many handler calls per delivery and how long to wait between them. */
export interface BackoffPolicy {
  /** Handler calls per delivery, the first included. 1 disables in-process retries. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the wait before retry `retry` (1-based) is uniform in [0, min(maxMs, baseMs * 2^(retry-1))].
 * Full jitter spreads retries of many consumers hitting the same failing dependency.
 * `random` is injectable so the bounds can be tested; it must return a value in [0, 1).
 */
export function fullJitterBackoff(
  retry: number,
  policy: Pick<BackoffPolicy, 'baseMs' | 'maxMs'>,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeiling(retry, policy));
}

/** The upper bound of the jittered wait before retry `retry` (1-based). */
export function backoffCeiling(
  retry: number,
  policy: Pick<BackoffPolicy, 'baseMs' | 'maxMs'>,
): number {
  const exponent = Math.max(0, retry - 1);
  // 2^exponent overflows to Infinity for huge retry counts; min() keeps it at maxMs.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}
