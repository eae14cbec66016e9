import { HandlerTimeoutError } from '../retry/classify';
import { defineMiddleware } from './compose';
import type { EventContext, Middleware } from './types';

/** How often running calls are checked against their deadline: a timeout fires up to this late. */
const TICK_MS = 25;

interface TimedCall {
  deadline: number;
  timeoutMs: number;
  type: string;
  ctx: EventContext;
  work?: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Fails a handler call that runs longer than its timeout with HandlerTimeoutError (retryable),
 * aborting the call's `ctx.signal` at the same moment, so well-behaved I/O stops too; work that
 * ignores the signal keeps running in the background. It sits innermost: each retry gets a fresh
 * timeout. `timeoutFor(type)` returning 0 or undefined disables it.
 *
 * Cost: no timer per call. One interval (25 ms, unref'd, stopped when idle) checks the calls in
 * flight, so a timeout fires between its deadline and 25 ms later.
 */
export function timeoutMiddleware(timeoutFor: (type: string) => number | undefined): Middleware {
  const running = new Set<TimedCall>();
  let ticker: NodeJS.Timeout | undefined;
  const tick = () => {
    if (running.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
      return;
    }
    const now = Date.now();
    for (const call of running) {
      if (now < call.deadline) continue;
      running.delete(call);
      const error = new HandlerTimeoutError(call.timeoutMs, call.type, call.work);
      call.ctx.abortCall(error);
      call.reject(error);
    }
  };
  return defineMiddleware('timeout', (next) => (event, ctx) => {
    const timeoutMs = timeoutFor(event.type);
    if (!timeoutMs || timeoutMs <= 0) return next(event, ctx);
    return new Promise<void>((resolve, reject) => {
      const call: TimedCall = {
        deadline: Date.now() + timeoutMs,
        timeoutMs,
        type: event.type,
        ctx,
        resolve,
        reject,
      };
      running.add(call);
      if (!ticker) (ticker = setInterval(tick, TICK_MS)).unref();
      call.work = next(event, ctx);
      void settle(call, call.work);
    });
  });

  async function settle(call: TimedCall, work: Promise<void>): Promise<void> {
    try {
      await work;
      if (running.delete(call)) call.resolve();
    } catch (error) {
      if (running.delete(call)) call.reject(error);
    }
  }
}
