import type { Redis } from 'ioredis';

/** A canary waiting for its observation window to end. */
export interface PendingPromotion {
  releaseId: string;
  service: string;
  version: string;
  /** ms since the epoch. */
  dueAt: number;
  /** The release flow's correlation id and the CanaryStarted event id, for the Promoted event. */
  correlationId: string;
  causationId: string;
  /** CanaryStarted's trace context, so that Promoted continues the release's trace. */
  traceparent?: string;
}

/**
 * KEYS[1] schedule (sorted set, score = due time); ARGV[1] now, ARGV[2] lease ms, ARGV[3] max.
 * Claims due entries by pushing their score a lease into the future: an instance that dies while
 * promoting leaves the entry to come due again, so no promotion is lost (promote is idempotent).
 */
const CLAIM_DUE = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(due) do
  redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), member)
end
return due
`;

const DAY_MS = 24 * 3_600_000;

/**
 * What the canary service remembers, in Redis so a restart loses nothing: each release's
 * requested canary share (from ReleaseRequested, needed when its tests pass), the canaries waiting
 * for promotion, and the releases that degraded or were rolled back (never to be promoted).
 */
export class CanaryState {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    redisPrefix: string,
  ) {
    this.prefix = `${redisPrefix}:canary`;
  }

  async rememberShare(releaseId: string, share: number): Promise<void> {
    await this.redis.set(this.key('share', releaseId), String(share), 'PX', 7 * DAY_MS);
  }

  async shareOf(releaseId: string): Promise<number | undefined> {
    const text = await this.redis.get(this.key('share', releaseId));
    return text === null ? undefined : Number(text);
  }

  async schedule(promotion: PendingPromotion): Promise<void> {
    await this.redis
      .multi()
      .set(this.key('pending', promotion.releaseId), JSON.stringify(promotion), 'PX', 7 * DAY_MS)
      // NX: a redelivered TestsPassed must not push an earlier due time later.
      .zadd(this.scheduleKey(), 'NX', promotion.dueAt, promotion.releaseId)
      .exec();
  }

  /** Marks the release as never to be promoted and drops it from the schedule. */
  async halt(releaseId: string, why: string): Promise<void> {
    await this.redis
      .multi()
      .set(this.key('halted', releaseId), why, 'PX', 7 * DAY_MS)
      .zrem(this.scheduleKey(), releaseId)
      .exec();
  }

  async haltedBecause(releaseId: string): Promise<string | undefined> {
    return (await this.redis.get(this.key('halted', releaseId))) ?? undefined;
  }

  /** Claims up to `max` due promotions for `leaseMs`. */
  async claimDue(now: number, leaseMs: number, max = 20): Promise<PendingPromotion[]> {
    const ids = (await this.redis.eval(
      CLAIM_DUE,
      1,
      this.scheduleKey(),
      String(now),
      String(leaseMs),
      String(max),
    )) as string[];
    if (ids.length === 0) return [];
    const texts = await this.redis.mget(ids.map((id) => this.key('pending', id)));
    const found: PendingPromotion[] = [];
    for (const [i, text] of texts.entries()) {
      if (text) found.push(JSON.parse(text) as PendingPromotion);
      else await this.done(ids[i] as string); // expired details: nothing left to promote
    }
    return found;
  }

  async done(releaseId: string): Promise<void> {
    await this.redis.zrem(this.scheduleKey(), releaseId);
  }

  private scheduleKey(): string {
    return `${this.prefix}:schedule`;
  }

  private key(kind: string, releaseId: string): string {
    return `${this.prefix}:${kind}:${releaseId}`;
  }
}
