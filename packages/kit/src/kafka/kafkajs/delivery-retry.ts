import type { RetryOptions } from 'kafkajs';

/**
 * kafkajs retry settings for a producer's client whose sends keep retrying for `deliveryTimeoutMs`.
 * kafkajs counts retries (5 by default, about 9 s of back-off: a broker restart outlasts them),
 * while the guarantee a caller wants is a time, as the Java client's delivery.timeout.ms. The
 * back-off doubles from 300 ms to at most 2 s, so a broker that comes back is found within 2 s,
 * and the count is the fewest retries whose back-offs add up to `deliveryTimeoutMs`: kafkajs
 * draws each within ±20 %, so over dozens of them the retries end within a few seconds of it,
 * near when the caller's own timeout (the Publisher's send timeout) gives up, not long after. kafkajs retries a failed request with the same producer
 * sequence numbers, so the broker keeps one copy of a record written by an attempt whose answer
 * was lost: why these retries, and not a caller's, are the ones to lengthen.
 */
export function deliveryRetry(deliveryTimeoutMs: number): RetryOptions {
  const initialRetryTime = 300;
  const maxRetryTime = 2_000;
  const factor = 0.2;
  const multiplier = 2;
  let retries = 0;
  let total = 0;
  for (let delay = initialRetryTime; total < deliveryTimeoutMs; retries += 1) {
    total += delay;
    delay = Math.min(delay * multiplier, maxRetryTime);
  }
  return { initialRetryTime, maxRetryTime, factor, multiplier, retries };
}
