import type { Logger } from 'pino';
import { toError } from '../errors';
import { defineMiddleware } from './compose';
import type { Middleware } from './types';

/**
 * One log line per event of interest, through the event's child logger (eventId, correlationId,
 * type): handled events at debug (checked on the root logger first, so no child logger is made
 * unless debug is on), retries scheduled at warn, dead-lettered events at error, deliveries that
 * end unsettled (breaker open, stopping, DLQ unreachable) at warn.
 */
export function loggingMiddleware(root: Logger): Middleware {
  return defineMiddleware('logging', (next) => async (event, ctx) => {
    // Durations are in the metrics; a log line carries one only when debug is on.
    const started = root.isLevelEnabled('debug') ? performance.now() : undefined;
    try {
      await next(event, ctx);
    } catch (thrown) {
      ctx.log.warn(
        { err: toError(thrown), attempts: ctx.attempts },
        'event not settled; it stays uncommitted and is delivered again',
      );
      throw thrown;
    }
    const outcome = ctx.outcome;
    if (
      outcome === undefined ||
      outcome === 'handled' ||
      outcome === 'duplicate' ||
      outcome === 'ignored'
    ) {
      if (root.isLevelEnabled('debug'))
        ctx.log.debug({ outcome: outcome ?? 'handled', ms: elapsed(started) }, 'event handled');
      return;
    }
    const fields = {
      outcome,
      attempts: event.history.priorAttempts + ctx.attempts,
      ms: elapsed(started),
      err: ctx.failure,
    };
    if (outcome === 'retry-scheduled')
      ctx.log.warn(fields, 'handler failed; event moved to a retry topic');
    else if (outcome === 'dead-lettered')
      ctx.log.error(fields, 'handler failed; event moved to the dead-letter topic');
    else ctx.log.info(fields, 'event delivery ended');
  });
}

function elapsed(started: number | undefined): number | undefined {
  return started === undefined
    ? undefined
    : Math.round((performance.now() - started) * 1000) / 1000;
}
