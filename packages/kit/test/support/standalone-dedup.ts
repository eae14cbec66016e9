import type {
  DedupMiddleware,
  EventContext,
  EventMetadata,
  InboundEvent,
} from '../../src/internal';
import type { OnceFunction } from '../../src/dedup/middleware';

/** The part of a handler context these tests build by hand. */
export interface StandaloneContext {
  metadata: { id: string };
  outcome?: string;
  once?: OnceFunction;
}

/** A decoded event as the runtime would hand it to middleware, from a payload and an event id. */
function inboundEvent(payload: unknown, metadata: { id: string }): InboundEvent {
  return {
    type: 'test.Standalone',
    payload,
    metadata: metadata as EventMetadata,
    history: {} as InboundEvent['history'],
    record: { key: null, value: null, headers: {} },
  };
}

/**
 * Drives the dedup middleware outside the runtime (tests of the store's mechanics under a test's
 * own consumer, a child process killed mid-flight…), with `(payload, ctx)` handlers.
 * What the runtime does with it is proven by the runtime tests (dedup-runtime.itest.ts).
 */
export function standaloneDedup<P>(
  dedup: DedupMiddleware,
  handler: (payload: P, ctx: StandaloneContext) => Promise<void>,
): {
  handle(payload: P, ctx: StandaloneContext): Promise<void>;
  prepareBatch(events: readonly { metadata: { id: string }; payload: P }[]): Promise<void>;
  finishBatch(): Promise<void>;
} {
  const wrapped = dedup(async (event, ctx) =>
    handler(event.payload as P, ctx as unknown as StandaloneContext),
  );
  return {
    handle: (payload, ctx) =>
      wrapped(inboundEvent(payload, ctx.metadata), ctx as unknown as EventContext),
    prepareBatch: (events) =>
      dedup.prepareBatch(events.map((e) => inboundEvent(e.payload, e.metadata))),
    finishBatch: () => dedup.finishBatch(),
  };
}
