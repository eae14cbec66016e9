import type { BreakerRegistry } from '../breaker/breaker-registry';
import type { TroupeConfig } from '../config/service-config';
import { breakerMiddleware } from '../middleware/breaker';
import { compose } from '../middleware/compose';
import { deadLetterMiddleware } from '../middleware/dead-letter';
import { loggingMiddleware } from '../middleware/logging';
import { metricsMiddleware } from '../middleware/metrics';
import { retryMiddleware } from '../middleware/retry';
import { timeoutMiddleware } from '../middleware/timeout';
import { tracingMiddleware } from '../middleware/tracing';
import type { Handler, Middleware } from '../middleware/types';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../observability/metrics';
import type { FailureRouter } from '../retry/failure-router';
import type { ResolvedHandler } from './define-service';
import { DeliveryContext } from './delivery-context';

/**
 * The service's chain, outside-in:
 * logging → metrics → tracing → deadLetter → retry → breaker → dedup → your middleware → timeout → handler.
 * Logging and metrics see every outcome; dead-letter settles what retries could not fix; the
 * breaker check sits inside retry so an open breaker ends the delivery instead of being retried;
 * dedup sits inside retry so a retried call claims again (after its failed run released the
 * key); the timeout is innermost so each call gets its own.
 */
export function buildHandlerChain(options: {
  service: string;
  handlers: ReadonlyMap<string, ResolvedHandler>;
  /** The definition's `dedup`, when it has one. */
  dedup?: Middleware;
  userMiddleware: readonly Middleware[];
  router: FailureRouter;
  breakers: BreakerRegistry;
  metrics: ServiceMetrics;
  logger: Logger;
  retry: TroupeConfig['retry'];
  handlerTimeoutMs: number;
  draining: AbortSignal;
}): { chain: Handler; middleware: Middleware[] } {
  const { handlers, retry, router } = options;
  const middleware: Middleware[] = [
    loggingMiddleware(options.logger),
    metricsMiddleware(options.metrics),
    tracingMiddleware({ consumerGroup: options.service }),
    deadLetterMiddleware(router, { metrics: options.metrics, draining: options.draining }),
    retryMiddleware({
      policy: { attempts: retry.attempts, baseMs: retry.backoffBaseMs, maxMs: retry.backoffMaxMs },
      classify: (error) => router.kindOf(error),
      draining: options.draining,
      metrics: options.metrics,
    }),
    breakerMiddleware(options.breakers, (type) => handlers.get(type)?.dependsOn ?? []),
    ...(options.dedup ? [options.dedup] : []),
    ...options.userMiddleware,
    timeoutMiddleware((type) => handlers.get(type)?.timeoutMs ?? options.handlerTimeoutMs),
  ];
  const terminal: Handler = async (event, ctx) => {
    const handler = handlers.get(event.type)!;
    ctx.attempts++;
    const handled = handler.handle(event.payload, ctx);
    if (handled) await handled; // a synchronous handler costs no microtask
    if (ctx instanceof DeliveryContext) {
      const publishes = ctx.settlePublishes();
      if (publishes) await publishes;
    }
  };
  return { chain: compose(middleware, terminal), middleware };
}
