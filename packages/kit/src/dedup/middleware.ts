import { toError } from '../errors';
import { defineMiddleware } from '../middleware/compose';
import type { EventContext, Handler, InboundEvent, Middleware } from '../middleware/types';
import { HandlerTimeoutError } from '../retry/classify';
import { DedupBusyError } from './errors';
import { DedupKeyFunction, byEventId } from './keys';
import { LocalRuns } from './local-runs';
import type { ClaimResult } from './scripts';
import type { DedupStore } from './store';

/** `ctx.once(key, fn)`: `fn` runs at most once per key for this service; resolves undefined when it already ran. */
export type OnceFunction = <T>(key: string, fn: () => Promise<T>) => Promise<T | undefined>;

/**
 * The runtime's Middleware, with batch hooks: `prepareBatch(events)` claims every event of a
 * fetched batch in one pipelined round trip (which also writes the previous batch's done marks);
 * `finishBatch()` starts writing pending done marks and returns at once: the marks are already
 * remembered in this process, so the offset commit and the next fetch need not wait for Redis
 * (failures go to onError; the marks are retried).
 */
export interface DedupMiddleware extends Middleware {
  readonly middlewareName: 'dedup';
  prepareBatch(events: readonly InboundEvent[]): Promise<void>;
  finishBatch(): Promise<void>;
}

/** How the dedup middleware keys events and when it writes their done marks. */
export interface DedupMiddlewareOptions {
  /**
   * The key an effect is deduplicated by; it receives the decoded event (`{ metadata, payload }`)
   * on every path. Default: the event id.
   */
  keyOf?: DedupKeyFunction;
  /**
   * `deferred` (default): after success the mark is remembered at once and written with the next
   * round trip (next `prepareBatch`, `finishBatch`, or `markDelayMs` later), so a batch costs one
   * round trip, not one per event. `immediate`: the handler awaits the mark.
   */
  marks?: 'deferred' | 'immediate';
  /** A claim made by `prepareBatch` older than this is not trusted; the handler claims again. Default leaseMs / 2. */
  preparedMaxAgeMs?: number;
  /** Called for each event skipped because it is done. */
  onSkip?: (key: string, ctx: EventContext) => void;
  /** Called for failures that do not fail the handler (a release or mark Redis did not take). */
  onError?: (error: Error) => void;
}

interface PreparedClaim {
  result: ClaimResult;
  at: number;
}

/**
 * Runs each event's handler once per dedup key:
 * - `done` → the handler is skipped and returns normally (the runtime commits the offset);
 * - `busy` → throws DedupBusyError (retryable: another consumer is on it; retry later, no commit);
 * - `claimed` → runs the handler; on success marks done, on failure releases the lease and rethrows.
 * In one process a key runs once at a time whatever partitions its events arrive on: an event
 * whose key is running here waits for that run to settle, then finds it done (or claims it).
 * Redis errors surface as DedupUnavailableError (retryable); nothing is skipped on error.
 * Sets `ctx.once` for the handler's own side effects. Guarantee and its limits: see DedupStore.
 *
 * Put it in a service with `defineService({ dedup: dedupMiddleware(store) })`: the runtime places
 * it inside retry and the breaker, outside the handler's timeout, and types `ctx.once` as present.
 */
export function dedupMiddleware(
  store: DedupStore,
  options: DedupMiddlewareOptions = {},
): DedupMiddleware {
  const keyOf = options.keyOf ?? byEventId;
  const keyFor = (event: InboundEvent): string =>
    keyOf === byEventId ? event.metadata.id : keyOf(event);
  const deferred = (options.marks ?? 'deferred') === 'deferred';
  const maxAgeMs = options.preparedMaxAgeMs ?? Math.floor(store.leaseMs / 2);
  const onError = options.onError ?? (() => undefined);
  const prepared = new Map<string, PreparedClaim>();
  const runs = new LocalRuns();
  const once: OnceFunction = async (key, fn) => {
    const result = await store.once(key, fn);
    return result.ran ? result.value : undefined;
  };

  const release = (key: string): Promise<void> =>
    store.release(key).then(
      () => undefined,
      (releaseError: unknown) => onError(toError(releaseError)),
    );

  const settleSuccess = async (key: string): Promise<void> => {
    if (deferred) store.markDoneLater(key);
    // The mark is remembered locally even when Redis fails now: never fail a handler that succeeded.
    else await store.markDone(key).catch((markError: unknown) => onError(toError(markError)));
  };

  // A stale claim of ours that no handler used: give the lease back (sent before any new claim on
  // the same connection, so it cannot undo one), otherwise this process would see itself as busy.
  const dropPrepared = async (key: string, claim: PreparedClaim): Promise<void> => {
    prepared.delete(key);
    if (claim.result.outcome === 'claimed') await release(key);
  };

  const claimFor = async (key: string): Promise<ClaimResult> => {
    const claim = prepared.get(key);
    if (!claim) return store.claim(key);
    if (Date.now() - claim.at <= maxAgeMs) {
      prepared.delete(key);
      return claim.result;
    }
    void dropPrepared(key, claim);
    return store.claim(key);
  };

  /** Claims, runs and settles one event; resolves when the key is free again in this process. */
  const runClaimed = async (
    key: string,
    next: Handler,
    event: InboundEvent,
    ctx: EventContext,
    finished: (settled: Promise<void>) => void,
  ): Promise<void> => {
    const claim = await claimFor(key);
    if (claim.outcome === 'done') {
      ctx.outcome = 'duplicate';
      options.onSkip?.(key, ctx);
      return;
    }
    if (claim.outcome === 'busy') throw new DedupBusyError(key, claim.holder ?? 'unknown');
    ctx.once = once;
    try {
      await next(event, ctx);
    } catch (error) {
      if (error instanceof HandlerTimeoutError && error.stillRunning) {
        // The call timed out but may still be working: keep our lease (and the key busy in this
        // process) until it settles, so a retry never runs the event a second time beside it.
        finished(
          error.stillRunning.then(
            () => settleSuccess(key),
            () => release(key),
          ),
        );
      } else await release(key);
      throw error;
    }
    await settleSuccess(key);
  };

  const wrap =
    (next: Handler): Handler =>
    async (event, ctx) => {
      const key = keyFor(event);
      const taken = runs.waitForTurn(key, store.leaseMs, () => ctx.signal);
      const turn = taken instanceof Promise ? await taken : taken;
      if (!turn) throw new DedupBusyError(key, 'this process (a run that has not settled)');
      let settled: Promise<void> = Promise.resolve();
      try {
        await runClaimed(key, next, event, ctx, (later) => (settled = later));
      } finally {
        turn.endAfter(settled);
      }
    };

  const prepareBatch = async (events: readonly InboundEvent[]): Promise<void> => {
    const now = Date.now();
    for (const [key, claim] of prepared)
      if (now - claim.at > maxAgeMs) void dropPrepared(key, claim);
    // Only the first event of a key is claimed ahead: a repeat in the same batch (or one running
    // on another partition) claims when its turn comes, and by then finds the first one done.
    const keys = [...new Set(events.map(keyFor))].filter(
      (key) => !prepared.has(key) && !runs.isRunning(key),
    );
    const results = await store.claimMany(keys);
    const at = Date.now();
    keys.forEach((key, i) => {
      const result = results[i] as ClaimResult;
      // A busy key is asked again at its turn: its holder (maybe this process) may be done by then.
      if (result.outcome !== 'busy') prepared.set(key, { result, at });
    });
  };

  const finishBatch = async (): Promise<void> => {
    store.flush().catch((flushError: unknown) => onError(toError(flushError)));
  };

  return defineMiddleware('dedup', wrap, { prepareBatch, finishBatch }) as DedupMiddleware;
}
