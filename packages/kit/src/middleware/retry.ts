import { toError } from '../errors';
import type { ServiceMetrics } from '../observability/metrics';
import { BackoffPolicy, fullJitterBackoff } from '../retry/backoff';
import { DeliveryAbortedError, FailureKind } from '../retry/classify';
import { sleep } from '../runtime/timers';
import { defineMiddleware } from './compose';
import type { Middleware } from './types';

/**
 * Retries retryable failures in process: up to `policy.attempts` handler calls per delivery,
 * waiting a fully jittered exponential backoff between them. Permanent and deferred failures
 * (breaker open, stopping) pass through at once. When the service starts draining, pending
 * backoffs end with DeliveryAbortedError: the event stays uncommitted and comes back later.
 * Longer waits belong in retry topics (the dead-letter middleware, outside this one).
 */
export function retryMiddleware(options: {
  policy: BackoffPolicy;
  classify: (error: Error) => FailureKind;
  draining: AbortSignal;
  metrics?: ServiceMetrics;
  random?: () => number;
}): Middleware {
  const { policy, classify, draining, metrics, random } = options;
  return defineMiddleware('retry', (next) => async (event, ctx) => {
    for (let retry = 1; ; retry++) {
      try {
        return await next(event, ctx);
      } catch (thrown) {
        const error = toError(thrown);
        if (retry >= policy.attempts || classify(error) !== 'retryable') throw error;
        if (draining.aborted) throw new DeliveryAbortedError('service is stopping');
        const waitMs = fullJitterBackoff(retry, policy, random);
        metrics?.retried(event.type, 'in-process');
        ctx.log.warn({ err: error, retry, waitMs }, 'handler failed; retrying in process');
        try {
          await sleep(waitMs, draining);
        } catch {
          throw new DeliveryAbortedError('service is stopping');
        }
      }
    }
  });
}
