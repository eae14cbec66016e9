import type { RequestSamples } from '@troupe/contracts';
import type { Redis } from 'ioredis';
import type { WindowCounts } from './statistics';

export interface CanaryWindows {
  /** The canary's windows since it started (within the history kept), in time order. */
  canary: WindowCounts[];
  /** The service's stable-version windows over the same span. */
  baseline: WindowCounts[];
}

/**
 * The watchdog's memory, in Redis so a restarted (or another) watchdog instance carries on where
 * this one stopped: one hash per canary release and one per service's stable traffic, field =
 * window start, value = `requests:errors:windowMs`. Writing a window twice (a redelivered sample)
 * sets the same field to the same value: the state is idempotent even without dedup.
 */
export class WindowStore {
  constructor(
    private readonly redis: Redis,
    /** The pipeline's Redis prefix; keys live under `<prefix>:watchdog`. */
    private readonly prefix: string,
    /** How much history each hash keeps (ms before its newest window); also the keys' TTL. */
    private readonly historyMs: number,
  ) {}

  /** Records a stable-version sample. */
  async addBaseline(sample: RequestSamples): Promise<void> {
    const key = this.baselineKey(sample.service);
    await this.redis
      .pipeline()
      .hset(key, field(sample), value(sample))
      .pexpire(key, this.historyMs * 2)
      .exec()
      .then(failOnError);
  }

  /** Records a canary sample and reads back what judging it needs, in one round trip. */
  async addCanary(sample: RequestSamples & { releaseId: string }): Promise<CanaryWindows> {
    const canaryKey = this.canaryKey(sample.releaseId);
    const baselineKey = this.baselineKey(sample.service);
    const replies = failOnError(
      await this.redis
        .pipeline()
        .hset(canaryKey, field(sample), value(sample))
        .pexpire(canaryKey, this.historyMs * 2)
        .hgetall(canaryKey)
        .hgetall(baselineKey)
        .exec(),
    );
    const canary = parse(replies[2] as Record<string, string>);
    const baseline = parse(replies[3] as Record<string, string>);
    const newest = canary[canary.length - 1]?.start ?? 0;
    const oldest = newest - this.historyMs;
    const stale = [...canary, ...baseline].some((w) => w.start < oldest);
    if (stale) await this.prune(canaryKey, baselineKey, canary, baseline, oldest);
    return {
      canary: canary.filter((w) => w.start >= oldest),
      baseline: baseline.filter((w) => w.start >= oldest),
    };
  }

  private async prune(
    canaryKey: string,
    baselineKey: string,
    canary: WindowCounts[],
    baseline: WindowCounts[],
    oldest: number,
  ): Promise<void> {
    const old = (windows: WindowCounts[]) =>
      windows.filter((w) => w.start < oldest).map((w) => String(w.start));
    const pipeline = this.redis.pipeline();
    const oldCanary = old(canary);
    const oldBaseline = old(baseline);
    if (oldCanary.length > 0) pipeline.hdel(canaryKey, ...oldCanary);
    if (oldBaseline.length > 0) pipeline.hdel(baselineKey, ...oldBaseline);
    failOnError(await pipeline.exec());
  }

  private canaryKey(releaseId: string): string {
    return `${this.prefix}:watchdog:canary:${releaseId}`;
  }

  private baselineKey(service: string): string {
    return `${this.prefix}:watchdog:stable:${service}`;
  }
}

function field(sample: RequestSamples): string {
  return String(sample.windowStart.getTime());
}

function value(sample: RequestSamples): string {
  return `${sample.requests}:${sample.errors}:${sample.windowMs}`;
}

function parse(hash: Record<string, string>): WindowCounts[] {
  const windows: WindowCounts[] = [];
  for (const [start, counts] of Object.entries(hash)) {
    const [requests, errors, durationMs] = counts.split(':').map(Number);
    windows.push({
      start: Number(start),
      requests: requests ?? 0,
      errors: errors ?? 0,
      durationMs: durationMs ?? 0,
    });
  }
  return windows.sort((a, b) => a.start - b.start);
}

function failOnError(replies: [Error | null, unknown][] | null): unknown[] {
  if (!replies) throw new Error('watchdog window store: the Redis pipeline was not executed');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}
