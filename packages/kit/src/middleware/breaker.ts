import type { BreakerRegistry } from '../breaker/breaker-registry';
import { BreakerOpenError } from '../retry/classify';
import { defineMiddleware } from './compose';
import type { Middleware } from './types';

/**
 * Fails fast with BreakerOpenError, before the handler runs, when a breaker the event type
 * declared in `dependsOn` does not admit calls. Calls made through `ctx.breaker(name).run()`
 * raise the same error from inside the handler. Either way the consumer pauses the partition,
 * keeps the event uncommitted, and resumes when the breaker half-opens or closes.
 */
export function breakerMiddleware(
  registry: BreakerRegistry,
  dependsOn: (type: string) => readonly string[],
): Middleware {
  return defineMiddleware('breaker', (next) => (event, ctx) => {
    for (const name of dependsOn(event.type)) {
      if (!registry.get(name).admitsCalls) return Promise.reject(new BreakerOpenError(name));
    }
    return next(event, ctx);
  });
}
