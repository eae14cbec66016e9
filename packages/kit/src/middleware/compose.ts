import type { BatchInfo, Handler, InboundEvent, Middleware } from './types';

/** Names a `(next) => handler` function and attaches optional batch hooks to it. */
export function defineMiddleware(
  name: string,
  wrap: (next: Handler) => Handler,
  hooks: Pick<Middleware, 'prepareBatch' | 'finishBatch'> = {},
): Middleware {
  return Object.assign((next: Handler) => wrap(next), { middlewareName: name, ...hooks });
}

/** Composes outside-in: `compose([a, b], h)` runs a, then b, then h. */
export function compose(middleware: readonly Middleware[], handler: Handler): Handler {
  return middleware.reduceRight<Handler>((next, wrap) => wrap(next), handler);
}

/** Runs every prepareBatch hook, outermost first. */
export async function prepareBatch(
  middleware: readonly Middleware[],
  events: readonly InboundEvent[],
  batch: BatchInfo,
): Promise<void> {
  for (const m of middleware) if (m.prepareBatch) await m.prepareBatch(events, batch);
}

/** Runs every finishBatch hook, innermost first (the reverse of prepare). */
export async function finishBatch(
  middleware: readonly Middleware[],
  events: readonly InboundEvent[],
  batch: BatchInfo,
): Promise<void> {
  for (let i = middleware.length - 1; i >= 0; i--) {
    const m = middleware[i]!;
    if (m.finishBatch) await m.finishBatch(events, batch);
  }
}
