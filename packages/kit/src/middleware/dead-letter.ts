import { TroupeError, toError } from '../errors';
import type { ServiceMetrics } from '../observability/metrics';
import { errorCode } from '../retry/classify';
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
 */
export function deadLetterMiddleware(router: FailureRouter, metrics?: ServiceMetrics): Middleware {
  return defineMiddleware('dead-letter', (next) => async (event, ctx) => {
    try {
      await next(event, ctx);
    } catch (thrown) {
      const error = toError(thrown);
      if (router.kindOf(error) === 'deferred') throw error;
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
