import { TroupeError, toError } from '../errors';
import type { ServiceMetrics } from '../observability/metrics';
import { DeliveryAbortedError, errorCode } from '../retry/classify';
import type { FailureRouter } from '../retry/failure-router';
import { defineMiddleware } from './compose';
import type { Middleware } from './types';

/** The failed event could not be moved to its retry or dead-letter topic; it stays uncommitted. */
export class FailureRoutingError extends TroupeError {
  constructor(eventId: string, cause: unknown) {
    super(
      'FAILURE_ROUTING',
      `event ${eventId}: could not move it to a retry or dead-letter topic`,
      { cause },
    );
  }
}

/**
 * Catches what the inner chain could not handle (after in-process retries) and moves the event
 * on: to the next retry topic, or to `<topic>.dlq` when retries are spent or the error is
 * permanent. The delivery then counts as settled, so its offset is committed. Deferred errors
 * (breaker open, stopping) pass through untouched; if sending fails the event is not settled.
 * Once the service is stopping (`draining`), a retryable failure is not moved on either: it may be
 * the stop itself (a handler whose signal the stop deadline aborted), so the event stays
 * uncommitted for the partition's next owner instead of spending a retry level or landing in the DLQ.
 */
export function deadLetterMiddleware(
  router: FailureRouter,
  options: { metrics?: ServiceMetrics; draining?: AbortSignal } = {},
): Middleware {
  const { metrics, draining } = options;
  return defineMiddleware('dead-letter', (next) => async (event, ctx) => {
    try {
      await next(event, ctx);
    } catch (thrown) {
      const error = toError(thrown);
      const kind = router.kindOf(error);
      if (kind === 'deferred') throw error;
      if (kind === 'retryable' && draining?.aborted)
        throw new DeliveryAbortedError('service is stopping');
      let destination;
      try {
        destination = await router.route(
          {
            key: event.record.key,
            value: event.record.value,
            headers: event.record.headers,
            history: event.history,
          },
          error,
          event.history.priorAttempts + ctx.attempts,
        );
      } catch (routingError) {
        throw new FailureRoutingError(event.metadata.id, routingError);
      }
      ctx.failure = error;
      if (destination.kind === 'retry') {
        ctx.outcome = 'retry-scheduled';
        metrics?.retried(event.type, 'retry-topic');
      } else {
        ctx.outcome = 'dead-lettered';
        metrics?.deadLetteredRecord(event.history.originalTopic, errorCode(error));
      }
    }
  });
}
