import { toError } from '../errors';
import { HandlerTimeoutError } from '../retry/classify';
import { DedupBusyError } from './errors';
import { DedupEvent, DedupKeyFunction, byEventId } from './keys';
import type { ClaimResult } from './scripts';
import type { DedupStore } from './store';

/**
 * The least a handler context must carry for dedup: the consumed event's metadata. Dedup sets
 * `outcome` to `duplicate` when it skips an event, and `once` for the handler's own side effects.
 */
export interface DedupHandlerContext {
  metadata: DedupEvent['metadata'];
  outcome?: string;
  /** `fn` runs at most once per key for this service; resolves undefined when it already ran. */
  once?: <T>(key: string, fn: () => Promise<T>) => Promise<T | undefined>;
}

export type DedupHandler<P, C extends DedupHandlerContext> = (payload: P, ctx: C) => Promise<void>;

/**
 * `(next) => handler`, plus batch hooks the runtime calls around a fetched batch:
 * `prepareBatch(events)` claims every event of the batch in one pipelined round trip (which also
 * writes the previous batch's done marks); `finishBatch()` starts writing pending done marks and
 * returns at once: the marks are already remembered in this process, so the offset commit and the
 * next fetch need not wait for Redis (failures go to onError; the marks are retried).
 */
export interface DedupMiddleware {
  <P, C extends DedupHandlerContext>(next: DedupHandler<P, C>): DedupHandler<P, C>;
  prepareBatch(events: readonly DedupEvent[]): Promise<void>;
  finishBatch(): Promise<void>;
}

export interface DedupMiddlewareOptions {
  /** Default: the event id. */
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
  onSkip?: (key: string, ctx: DedupHandlerContext) => void;
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
 * Redis errors surface as DedupUnavailableError (retryable); nothing is skipped on error.
 * Guarantee and its limits: see DedupStore.
 */
export function dedupMiddleware(
  store: DedupStore,
  options: DedupMiddlewareOptions = {},
): DedupMiddleware {
  const keyOf = options.keyOf ?? byEventId;
  const deferred = (options.marks ?? 'deferred') === 'deferred';
  const maxAgeMs = options.preparedMaxAgeMs ?? Math.floor(store.leaseMs / 2);
  const onError = options.onError ?? (() => undefined);
  const prepared = new Map<string, PreparedClaim>();
  const once = async <T>(key: string, fn: () => Promise<T>): Promise<T | undefined> => {
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

  const middleware = <P, C extends DedupHandlerContext>(
    next: DedupHandler<P, C>,
  ): DedupHandler<P, C> =>
    async function dedup(payload: P, ctx: C): Promise<void> {
      const key =
        keyOf === byEventId ? ctx.metadata.id : keyOf({ metadata: ctx.metadata, payload });
      const claim = await claimFor(key);
      if (claim.outcome === 'done') {
        ctx.outcome = 'duplicate';
        options.onSkip?.(key, ctx);
        return;
      }
      if (claim.outcome === 'busy') throw new DedupBusyError(key, claim.holder ?? 'unknown');
      ctx.once = once;
      try {
        await next(payload, ctx);
      } catch (error) {
        if (error instanceof HandlerTimeoutError && error.stillRunning) {
          // The call timed out but may still be working: keep our lease until it settles, so a
          // retry finds the key busy instead of running the event a second time alongside it.
          void error.stillRunning.then(
            () => settleSuccess(key),
            () => release(key),
          );
        } else await release(key);
        throw error;
      }
      await settleSuccess(key);
    };

  const prepareBatch = async (events: readonly DedupEvent[]): Promise<void> => {
    const now = Date.now();
    for (const [key, claim] of prepared)
      if (now - claim.at > maxAgeMs) void dropPrepared(key, claim);
    // Only the first event of a key is claimed ahead: a repeat in the same batch claims when its
    // turn comes, and by then finds the first one done (or failed and released).
    const keys = [...new Set(events.map(keyOf))].filter((key) => !prepared.has(key));
    const results = await store.claimMany(keys);
    const at = Date.now();
    keys.forEach((key, i) => prepared.set(key, { result: results[i] as ClaimResult, at }));
  };

  const finishBatch = async (): Promise<void> => {
    store.flush().catch((flushError: unknown) => onError(toError(flushError)));
  };

  return Object.assign(middleware, { prepareBatch, finishBatch });
}
