import { toError } from '../errors';
import type { ServiceMetrics } from '../observability/metrics';
import { classifyFailure } from '../retry/classify';
import { defineMiddleware } from './compose';
import type { Middleware } from './types';

/**
 * Counts every delivery by outcome and observes its duration (troupe_events_handled_total,
 * troupe_handler_duration_seconds). A thrown error is `deferred` when it is a breaker or stop
 * (the event comes back) and `failed` otherwise.
 */
export function metricsMiddleware(metrics: ServiceMetrics): Middleware {
  return defineMiddleware('metrics', (next) => async (event, ctx) => {
    const started = performance.now();
    let outcome: NonNullable<typeof ctx.outcome>;
    try {
      await next(event, ctx);
      outcome = ctx.outcome ?? 'handled';
    } catch (thrown) {
      outcome = classifyFailure(toError(thrown)) === 'deferred' ? 'deferred' : 'failed';
      throw thrown;
    } finally {
      // `outcome` is set on both paths above before finally runs.
      metrics.handled(event.metadata.topic, event.type, outcome!);
      metrics.observeDuration(event.type, outcome!, (performance.now() - started) / 1000);
    }
  });
}
