import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ChainableCommander, Redis } from 'ioredis';
import { positiveInteger } from '../config/option-checks';
import { toError } from '../errors';
import { DedupBusyError, DedupUnavailableError } from './errors';
import { DEFAULT_DEDUP_PREFIX, checkedKey, checkedService, dedupRedisKey, onceKey } from './keys';
import {
  ALREADY_DONE,
  CLAIM_MANY_SCRIPT,
  ClaimResult,
  MARK_DONE_MANY_SCRIPT,
  MarkOutcome,
  RELEASE_SCRIPT,
  claimFromReply,
  leaseValue,
  markFromReply,
} from './scripts';

/**
 * Exactly-once *handling* of events and side effects, with Redis as the store: a lease, then a mark.
 *
 * - `claim` takes `lease:<owner>` with SET NX PX before the handler. Outcomes: `claimed` (run it;
 *   also when an expired lease of a dead owner is taken over — the key simply expired), `done`
 *   (skip and commit), `busy` (another owner's live lease: not done yet, retry later, don't commit).
 * - After success, `markDone` turns our lease (or a free key) into `done` with a long TTL.
 * - After failure, `release` deletes the lease only if it is still ours. A failing handler never
 *   leaves the event `done`.
 *
 * The guarantee, stated honestly:
 * - Always: a handler that failed is never marked done; nothing is skipped unless it is done; while
 *   a lease is live, no other owner runs the key; in one process a key never runs twice at once.
 * - Redis alone: exactly-once unless the process dies (or stalls past `leaseMs`) after the effect
 *   and before its mark reaches Redis. Redis and the effect are two systems, so the mark can never
 *   be atomic with the effect; in that window the lease expires and the event runs again
 *   (at-least-once). With deferred marks (`markDoneLater`, the middleware default) the window runs
 *   from the effect to the next round trip: the end of the batch, or `markDelayMs`.
 * - Exactly-once for effects in PostgreSQL: record the key in the effect's own transaction with
 *   `PgDedupMarks` and apply the effect only when it is new. The effect and its mark then commit
 *   together; the Redis store saves the database round trip for done events and keeps two consumers
 *   off one event. (Proven by dedup-kill.itest.ts: 10,000 events, three SIGKILLs, no duplicate.)
 * - External calls (`once`): same as Redis alone; pass the business key to the remote side as its
 *   idempotency key to close the window.
 *
 * Cost: two Redis writes per event (the lease, then the mark), each creating or replacing a key with
 * a TTL: about 7 µs of Redis CPU per event on a 2-core machine, batched into one pipelined script
 * call per fetched batch and one for its marks. Fewer writes would need a different contract (e.g.
 * a lease per partition and a mark per event), which the per-event lease above deliberately is not.
 *
 * Not a distributed lock with fencing: set `leaseMs` above the handler timeout. Redis Cluster is
 * not supported (one script call spans many keys). Marks not yet confirmed by Redis are remembered
 * in memory and retried, so a Redis blip after success never re-runs a handler in this process.
 */
export interface DedupStore {
  readonly leaseMs: number;
  claim(key: string): Promise<ClaimResult>;
  /** One pipelined round trip for a fetched batch; also writes deferred marks. Results follow `keys`. */
  claimMany(keys: readonly string[]): Promise<ClaimResult[]>;
  markDone(key: string): Promise<MarkOutcome>;
  markDoneMany(keys: readonly string[]): Promise<MarkOutcome[]>;
  /** Remembers success now, writes the mark with the next round trip (or after `markDelayMs`). */
  markDoneLater(key: string): void;
  /** Writes all deferred marks now. */
  flush(): Promise<void>;
  release(key: string): Promise<boolean>;
  once<T>(key: string, effect: () => Promise<T>): Promise<OnceResult<T>>;
}

export type OnceResult<T> = { ran: true; value: T } | { ran: false };

/** Where a RedisDedupStore keeps its leases and done marks, and how long each lasts. */
export interface RedisDedupStoreOptions {
  redis: Redis;
  /** Namespace: two services consuming the same event each handle it once. */
  service: string;
  /** Unique per store instance. Default `<hostname>:<pid>:<random>`. */
  owner?: string;
  /** How long a claim keeps others out; above the handler timeout. Default 30 s. */
  leaseMs?: number;
  /** How long `done` is remembered; above the longest redelivery delay. Default 7 days. */
  doneTtlMs?: number;
  /** Default `troupe:dedup`. */
  prefix?: string;
  /** Deferred marks are written at the latest this long after `markDoneLater`. Default 20 ms. */
  markDelayMs?: number;
  /** Background failures (a deferred mark that could not be written yet; it is retried). */
  onError?: (error: Error) => void;
}

const DEFAULTS = { leaseMs: 30_000, doneTtlMs: 7 * 24 * 3600_000, markDelayMs: 20 };
const RETRY_MARKS_AFTER_MS = 1_000;

/** Keys per script call: long enough to amortize a command, short enough not to stall Redis (~0.5 ms). */
const KEYS_PER_CALL = 500;

type Reply = [Error | null, unknown];

interface DedupCommands {
  /** numKeys, keys…, `lease:<owner>`, ms */
  troupeDedupClaimMany(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  troupeDedupMarkDoneMany(numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  troupeDedupRelease(key: string, lease: string): Promise<unknown>;
}
type PipelineWithScripts = ChainableCommander & {
  [K in keyof DedupCommands]: (...args: Parameters<DedupCommands[K]>) => PipelineWithScripts;
};

export class RedisDedupStore implements DedupStore {
  readonly owner: string;
  readonly leaseMs: number;
  readonly doneTtlMs: number;
  private readonly redis: Redis;
  private readonly service: string;
  private readonly prefix: string;
  private readonly lease: string;
  private readonly markDelayMs: number;
  private readonly onError: (error: Error) => void;
  // Local bookkeeping is keyed by the caller's key, not the Redis key: the caller passes the same
  // string object (the event id) to claim and mark, so its hash is computed once; the prefixed Redis
  // key is built only where a command is written.
  /** `${prefix}:${service}:` */
  private readonly keyPrefix: string;
  /** Keys this instance has claimed and not yet marked or released → local lease expiry. */
  private readonly held = new Map<string, number>();
  /** Keys whose handler succeeded here but whose mark Redis has not confirmed yet. */
  private readonly doneLocally = new Set<string>();
  private deferred: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(options: RedisDedupStoreOptions) {
    this.redis = options.redis;
    this.service = checkedService(options.service);
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.lease = leaseValue(this.owner);
    this.prefix = options.prefix ?? DEFAULT_DEDUP_PREFIX;
    this.keyPrefix = dedupRedisKey(this.prefix, this.service, '');
    this.leaseMs = positiveInteger('dedup.leaseMs', options.leaseMs ?? DEFAULTS.leaseMs, 'ms');
    this.doneTtlMs = positiveInteger(
      'dedup.doneTtlMs',
      options.doneTtlMs ?? DEFAULTS.doneTtlMs,
      'ms',
    );
    this.markDelayMs = positiveInteger(
      'dedup.markDelayMs',
      options.markDelayMs ?? DEFAULTS.markDelayMs,
      'ms',
    );
    this.onError = options.onError ?? (() => undefined);
    defineScripts(this.redis);
  }

  async claim(key: string): Promise<ClaimResult> {
    const [result] = await this.claimMany([key]);
    return result as ClaimResult;
  }

  async claimMany(keys: readonly string[]): Promise<ClaimResult[]> {
    const results: ClaimResult[] = new Array<ClaimResult>(keys.length);
    // Parallel arrays, not an object per key: this runs for every event of every batch.
    const claims: string[] = [];
    const claimIndex: number[] = [];
    const inThisBatch = new Set<string>();
    for (let index = 0; index < keys.length; index++) {
      const key = checkedKey(keys[index], 'dedup claim(key)');
      if (this.doneLocally.has(key)) results[index] = ALREADY_DONE;
      // Held here already, or twice in one batch: one run at a time, even within this process.
      else if (this.isHeld(key) || inThisBatch.has(key)) {
        results[index] = { outcome: 'busy', holder: this.owner };
      } else {
        inThisBatch.add(key);
        claims.push(key);
        claimIndex.push(index);
      }
    }
    if (claims.length === 0 && this.deferred.length === 0) return results;

    // Held from the moment the claim is sent: a second claim of this process for the same key,
    // made before Redis answers, is busy here instead of being answered "claimed" by the script
    // (which renews a lease its owner already has).
    const expiresAt = Date.now() + this.leaseMs;
    for (const key of claims) this.held.set(key, expiresAt);
    const marks = this.takeDeferred();
    let replies: Reply[];
    try {
      replies = await this.roundTrip(marks, claims, 'claim');
    } catch (error) {
      for (const key of claims) this.held.delete(key);
      throw error;
    }
    this.settleMarks(marks, replies, false);

    // All or nothing: leases that did land are ours and our own next claim retakes them.
    for (let i = 0; i < claims.length; i++) {
      const error = replies[marks.length + i]?.[0];
      if (error) {
        for (const key of claims) this.held.delete(key);
        throw new DedupUnavailableError('claim', this.redisKey(claims[i]!), error);
      }
    }
    for (let i = 0; i < claims.length; i++) {
      const result = claimFromReply(replies[marks.length + i]?.[1]);
      if (result.outcome !== 'claimed') this.held.delete(claims[i] as string);
      results[claimIndex[i] as number] = result;
    }
    return results;
  }

  async markDone(key: string): Promise<MarkOutcome> {
    const [outcome] = await this.markDoneMany([key]);
    return outcome as MarkOutcome;
  }

  async markDoneMany(keys: readonly string[]): Promise<MarkOutcome[]> {
    const checked = keys.map((key) => checkedKey(key, 'dedup markDone(key)'));
    for (const key of checked) this.rememberDone(key);
    // Also carries earlier deferred marks; a key whose mark is in flight elsewhere is sent again.
    const marks = [...new Set([...this.takeDeferred(), ...checked])];
    const replies = await this.roundTrip(marks, [], 'markDone');
    const outcomes = this.settleMarks(marks, replies, true);
    return checked.map((key) => {
      const outcome = outcomes.get(key);
      if (outcome === undefined)
        throw new DedupUnavailableError('markDone', this.redisKey(key), 'no reply');
      return outcome;
    });
  }

  markDoneLater(key: string): void {
    this.rememberDone(checkedKey(key, 'dedup markDoneLater(key)'));
    this.scheduleFlush(this.markDelayMs);
  }

  async flush(): Promise<void> {
    if (this.deferred.length === 0) return;
    const marks = this.takeDeferred();
    this.settleMarks(marks, await this.roundTrip(marks, [], 'flush'), false);
  }

  async release(key: string): Promise<boolean> {
    const redisKey = this.redisKey(checkedKey(key, 'dedup release(key)'));
    // Even if Redis does not answer, we no longer run it: our own later claim may retake the lease.
    this.held.delete(key);
    try {
      return (
        (await (this.redis as unknown as DedupCommands).troupeDedupRelease(
          redisKey,
          this.lease,
        )) === 1
      );
    } catch (error) {
      throw new DedupUnavailableError('release', redisKey, error);
    }
  }

  async once<T>(key: string, effect: () => Promise<T>): Promise<OnceResult<T>> {
    const scoped = onceKey(checkedKey(key, 'once(key)'));
    const claimed = await this.claim(scoped);
    if (claimed.outcome === 'done') return { ran: false };
    if (claimed.outcome === 'busy') throw new DedupBusyError(scoped, claimed.holder ?? 'unknown');
    let value: T;
    try {
      value = await effect();
    } catch (error) {
      await this.release(scoped).catch((releaseError: unknown) =>
        this.onError(toError(releaseError)),
      );
      throw error;
    }
    // Remembered locally even if Redis fails now; retried with the next round trip.
    await this.markDone(scoped).catch((markError: unknown) => this.onError(toError(markError)));
    return { ran: true, value };
  }

  private redisKey(key: string): string {
    return this.keyPrefix + key;
  }

  private isHeld(key: string): boolean {
    const expiresAt = this.held.get(key);
    if (expiresAt === undefined) return false;
    if (expiresAt > Date.now()) return true;
    this.held.delete(key);
    return false;
  }

  private rememberDone(key: string): void {
    this.held.delete(key);
    if (!this.doneLocally.has(key)) {
      this.doneLocally.add(key);
      this.deferred.push(key);
    }
  }

  /** A key is queued at most once: rememberDone checks doneLocally, failures put back what was taken. */
  private takeDeferred(): string[] {
    const marks = this.deferred;
    this.deferred = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return marks;
  }

  /**
   * Confirmed marks are forgotten locally; failed ones go back to the queue. `replies` starts with
   * one per mark; outcomes are collected only when the caller wants them.
   */
  private settleMarks(
    marks: string[],
    replies: Reply[],
    wantOutcomes: boolean,
  ): Map<string, MarkOutcome> {
    const outcomes = new Map<string, MarkOutcome>();
    let failed: string[] | undefined;
    let firstError: unknown;
    for (let i = 0; i < marks.length; i++) {
      const key = marks[i] as string;
      const [error, reply] = replies[i] ?? [new Error('no reply'), undefined];
      if (error) {
        (failed ??= []).push(key);
        firstError ??= error;
      } else {
        this.doneLocally.delete(key);
        const outcome = markFromReply(reply);
        if (wantOutcomes) outcomes.set(key, outcome);
      }
    }
    if (failed) {
      this.deferred.push(...failed);
      this.scheduleFlush(RETRY_MARKS_AFTER_MS);
      this.onError(new DedupUnavailableError('markDone', this.redisKey(failed[0]!), firstError));
    }
    return outcomes;
  }

  private scheduleFlush(delayMs: number): void {
    if (this.timer || this.deferred.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => this.onError(toError(error)));
    }, delayMs);
    this.timer.unref();
  }

  /**
   * One pipelined round trip: marks first (they free keys this batch may need), then claims, each
   * in chunks of KEYS_PER_CALL keys per script call. Returns one reply per key, marks then claims.
   * A failed round trip puts the marks it carried back in the queue.
   */
  private async roundTrip(marks: string[], claims: string[], operation: string): Promise<Reply[]> {
    const pipeline = this.redis.pipeline() as PipelineWithScripts;
    const chunkSizes: number[] = [];
    for (const [keys, command, ms] of [
      [marks, 'troupeDedupMarkDoneMany', this.doneTtlMs],
      [claims, 'troupeDedupClaimMany', this.leaseMs],
    ] as const) {
      for (let from = 0; from < keys.length; from += KEYS_PER_CALL) {
        const to = Math.min(from + KEYS_PER_CALL, keys.length);
        // numKeys, the Redis keys, `lease:<owner>`, ms: one array, no intermediate copies.
        const args: (string | number)[] = [to - from];
        for (let i = from; i < to; i++) args.push(this.keyPrefix + (keys[i] as string));
        args.push(this.lease, ms);
        chunkSizes.push(to - from);
        (pipeline[command] as (...a: (string | number)[]) => PipelineWithScripts)(...args);
      }
    }
    let replies: Reply[] | null;
    try {
      replies = await pipeline.exec();
      if (!replies) throw new Error('pipeline discarded');
    } catch (error) {
      this.deferred.push(...marks);
      this.scheduleFlush(RETRY_MARKS_AFTER_MS);
      const first = claims[0] ?? marks[0];
      throw new DedupUnavailableError(operation, first && this.redisKey(first), error);
    }
    const perKey: Reply[] = [];
    chunkSizes.forEach((size, i) => {
      const [error, values] = replies[i] ?? [new Error('no reply'), undefined];
      for (let j = 0; j < size; j++)
        perKey.push(error ? [error, undefined] : [null, (values as unknown[] | undefined)?.[j]]);
    });
    return perKey;
  }
}

function defineScripts(redis: Redis): void {
  if ('troupeDedupClaimMany' in redis) return;
  // No fixed key count: the first argument says how many keys follow.
  redis.defineCommand('troupeDedupClaimMany', { lua: CLAIM_MANY_SCRIPT });
  redis.defineCommand('troupeDedupMarkDoneMany', { lua: MARK_DONE_MANY_SCRIPT });
  redis.defineCommand('troupeDedupRelease', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
}
