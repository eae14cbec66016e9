import { toError } from '../errors';
import type { HandlingOutcome, ServiceMetrics } from '../observability/metrics';
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
    const meters = metrics.eventMeters(event.metadata.topic, event.type);
    const started = performance.now();
    let outcome: HandlingOutcome;
    try {
      await next(event, ctx);
      outcome = ctx.outcome ?? 'handled';
    } catch (thrown) {
      outcome = classifyFailure(toError(thrown)) === 'deferred' ? 'deferred' : 'failed';
      meters.handled(outcome);
      meters.observe(outcome, (performance.now() - started) / 1000);
      throw thrown;
    }
    meters.handled(outcome);
    meters.observe(outcome, (performance.now() - started) / 1000);
  });
}
