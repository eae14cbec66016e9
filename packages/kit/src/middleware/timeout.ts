import { HandlerTimeoutError } from '../retry/classify';
import { defineMiddleware } from './compose';
import type { Middleware } from './types';

/**
 * Fails a handler call that runs longer than its timeout with HandlerTimeoutError (retryable).
 * The handler's `ctx.signal` aborts at the same moment, so well-behaved I/O stops too; work that
 * ignores the signal keeps running in the background, which is why it sits innermost: each
 * retry gets a fresh timeout. `timeoutFor(type)` returning 0 or undefined disables it.
 */
export function timeoutMiddleware(timeoutFor: (type: string) => number | undefined): Middleware {
  return defineMiddleware('timeout', (next) => async (event, ctx) => {
    const ms = timeoutFor(event.type);
    if (!ms || ms <= 0) return next(event, ctx);
    const outer = ctx.signal;
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer.reason);
    outer.addEventListener('abort', onOuterAbort, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new HandlerTimeoutError(ms, event.type);
        controller.abort(error);
        reject(error);
      }, ms);
    });
    ctx.signal = controller.signal;
    try {
      await Promise.race([next(event, ctx), expired]);
    } finally {
      clearTimeout(timer);
      outer.removeEventListener('abort', onOuterAbort);
      ctx.signal = outer;
    }
  });
}
