import type { Redis } from 'ioredis';
import { PROMOTE, ROLLBACK, START_CANARY } from './router-scripts';

/** How one service's traffic is split right now. */
export interface Route {
  service: string;
  stableVersion: string;
  canary?: {
    version: string;
    /** Share of requests on the canary, between 0 and 1. */
    share: number;
    releaseId: string;
    /** The release flow's correlation id, so samples of the canary belong to it. */
    correlationId: string;
    /**
     * W3C traceparent of the canary's start (the canary's processing span, else the event it
     * handled), so samples of the canary join the release's trace. Absent for canaries started
     * before the router stored it.
     */
    traceparent?: string;
    startedAt: number;
  };
}

/** What the router remembers about one release (for idempotent answers, tests and the demo). */
export interface ReleaseRouting {
  releaseId: string;
  service: string;
  version: string;
  stableVersion: string;
  startedAt: number;
  outcome?: 'promoted' | 'rolled-back';
  promotedAt?: number;
  rolledBackAt?: number;
  /** How many times the router really changed because of a promote / rollback of this release. */
  promotions: number;
  rollbacks: number;
}

export interface CanaryRequest {
  service: string;
  releaseId: string;
  version: string;
  share: number;
  /** The stable version to assume when the router has never seen the service. */
  defaultStableVersion: string;
  correlationId: string;
  /** The trace context the canary's samples are published in (see Route.canary.traceparent). */
  traceparent?: string;
}

export type StartResult =
  | {
      outcome: 'started' | 'already';
      stableVersion: string;
      startedAt: number;
      replacedReleaseId?: string;
    }
  | { outcome: 'ended'; endedAs: string; stableVersion: string };
export type PromoteResult =
  | { outcome: 'promoted' | 'already'; at: number; previousVersion: string; version: string }
  | { outcome: 'refused'; reason: string };
export type RollbackResult =
  | { outcome: 'rolled-back' | 'already'; at: number; fromVersion: string; toVersion: string }
  | { outcome: 'refused'; reason: string };

/**
 * The simulated traffic router: which version of each service gets which share of requests,
 * kept in Redis so the canary, rollback and telemetry processes all see one truth. Every
 * transition is atomic and idempotent per release (see router-scripts.ts): starting, promoting or
 * rolling back the same release twice changes nothing the second time and answers `already`.
 */
export class RedisTrafficRouter {
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    /** The pipeline's Redis prefix; the router's keys live under `<prefix>:router`. */
    redisPrefix: string,
    private readonly clock: () => number = Date.now,
  ) {
    this.prefix = `${redisPrefix}:router`;
  }

  async startCanary(request: CanaryRequest): Promise<StartResult> {
    const reply = await this.run(
      START_CANARY,
      [this.routeKey(request.service), this.releaseKey(request.releaseId), this.servicesKey()],
      [
        request.service,
        request.releaseId,
        request.version,
        String(request.share),
        request.defaultStableVersion,
        String(this.clock()),
        request.correlationId,
        request.traceparent ?? '',
      ],
    );
    const [outcome, a = '', b = '', c = ''] = reply;
    if (outcome === 'ended') return { outcome, endedAs: a, stableVersion: b };
    if (outcome === 'started' || outcome === 'already') {
      return {
        outcome,
        stableVersion: a,
        startedAt: Number(b),
        replacedReleaseId: c === '' ? undefined : c,
      };
    }
    throw unexpected('startCanary', reply);
  }

  async promote(service: string, releaseId: string): Promise<PromoteResult> {
    const reply = await this.run(
      PROMOTE,
      [this.routeKey(service), this.releaseKey(releaseId)],
      [releaseId, String(this.clock())],
    );
    const [outcome, a = '', b = '', c = ''] = reply;
    if (outcome === 'refused') return { outcome, reason: a };
    if (outcome === 'promoted' || outcome === 'already')
      return { outcome, at: Number(a), previousVersion: b, version: c };
    throw unexpected('promote', reply);
  }

  async rollback(service: string, releaseId: string): Promise<RollbackResult> {
    const reply = await this.run(
      ROLLBACK,
      [this.routeKey(service), this.releaseKey(releaseId)],
      [releaseId, String(this.clock())],
    );
    const [outcome, a = '', b = '', c = ''] = reply;
    if (outcome === 'refused') return { outcome, reason: a };
    if (outcome === 'rolled-back' || outcome === 'already')
      return { outcome, at: Number(a), fromVersion: b, toVersion: c };
    throw unexpected('rollback', reply);
  }

  /** Every routed service's current split, in one round trip after the member list. */
  async routes(): Promise<Route[]> {
    const services = (await this.redis.smembers(this.servicesKey())).sort();
    if (services.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const service of services) pipeline.hgetall(this.routeKey(service));
    const replies = (await pipeline.exec()) ?? [];
    const routes: Route[] = [];
    services.forEach((service, i) => {
      const [error, hash] = replies[i] ?? [new Error('no reply'), undefined];
      if (error) throw error;
      const route = toRoute(service, hash as Record<string, string>);
      if (route) routes.push(route);
    });
    return routes;
  }

  async route(service: string): Promise<Route | undefined> {
    return toRoute(service, await this.redis.hgetall(this.routeKey(service)));
  }

  async release(releaseId: string): Promise<ReleaseRouting | undefined> {
    const hash = await this.redis.hgetall(this.releaseKey(releaseId));
    if (!hash.service) return undefined;
    const time = (field: string) => (hash[field] === undefined ? undefined : Number(hash[field]));
    return {
      releaseId,
      service: hash.service,
      version: hash.version ?? '',
      stableVersion: hash.stableVersion ?? '',
      startedAt: Number(hash.startedAt),
      outcome: hash.outcome as ReleaseRouting['outcome'],
      promotedAt: time('promotedAt'),
      rolledBackAt: time('rolledBackAt'),
      promotions: Number(hash.promotions ?? 0),
      rollbacks: Number(hash.rollbacks ?? 0),
    };
  }

  private routeKey(service: string): string {
    return `${this.prefix}:service:${service}`;
  }

  private releaseKey(releaseId: string): string {
    return `${this.prefix}:release:${releaseId}`;
  }

  private servicesKey(): string {
    return `${this.prefix}:services`;
  }

  private async run(script: string, keys: string[], args: string[]): Promise<string[]> {
    const reply = await this.redis.eval(script, keys.length, ...keys, ...args);
    if (!Array.isArray(reply)) throw unexpected('script', reply);
    return reply.map((item) => (Buffer.isBuffer(item) ? item.toString() : String(item)));
  }
}

function toRoute(service: string, hash: Record<string, string>): Route | undefined {
  if (!hash.stable) return undefined;
  const route: Route = { service, stableVersion: hash.stable };
  if (hash.releaseId && hash.canaryVersion) {
    route.canary = {
      version: hash.canaryVersion,
      share: Number(hash.canaryShare),
      releaseId: hash.releaseId,
      correlationId: hash.correlationId ?? hash.releaseId,
      startedAt: Number(hash.canaryStartedAt),
    };
    if (hash.traceparent) route.canary.traceparent = hash.traceparent;
  }
  return route;
}

function unexpected(operation: string, reply: unknown): Error {
  return new Error(
    `traffic router ${operation}: expected a reply like ["started", …], found ${JSON.stringify(reply)}`,
  );
}
