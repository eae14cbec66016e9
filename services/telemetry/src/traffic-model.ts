import type { RequestSamples } from '@troupe/contracts';
import type { Route } from '@troupe-services/pipeline';

export interface TrafficSettings {
  /** Requests per second each service receives, all versions together. */
  requestsPerSecond: number;
  /** Error rate of a healthy version. */
  baseErrorRate: number;
  /** Error rate of a version during a spike. */
  spikeErrorRate: number;
  /** Versions containing this spike on their own… */
  spikeMarker: string;
  /** …this long after their canary started. */
  spikeDelayMs: number;
}

/** A spike injected through the control endpoint. */
export interface InjectedSpike {
  service?: string;
  version: string;
  errorRate: number;
  /** ms since the epoch; open-ended when absent. */
  until?: number;
}

/** One version's share of a window's traffic and how it fails. */
export interface VersionLoad {
  version: string;
  releaseId: string | null;
  correlationId?: string;
  /** The canary's trace context (the router's): its samples are published in the release's trace. */
  traceparent?: string;
  share: number;
  errorRate: number;
  spiking: boolean;
}

/** The loads of a route's versions for the window starting at `windowStart`. */
export function loadsOf(
  route: Route,
  windowStart: number,
  settings: TrafficSettings,
  injected: readonly InjectedSpike[],
): VersionLoad[] {
  const spikeOf = (version: string, canaryStartedAt?: number): number | undefined => {
    const spike = injected.find(
      (s) =>
        s.version === version &&
        (s.service === undefined || s.service === route.service) &&
        (s.until === undefined || s.until > windowStart),
    );
    if (spike) return spike.errorRate;
    if (
      canaryStartedAt !== undefined &&
      version.includes(settings.spikeMarker) &&
      windowStart >= canaryStartedAt + settings.spikeDelayMs
    )
      return settings.spikeErrorRate;
    return undefined;
  };
  const loads: VersionLoad[] = [];
  const canary = route.canary;
  const stableSpike = spikeOf(route.stableVersion);
  loads.push({
    version: route.stableVersion,
    releaseId: null,
    share: 1 - (canary?.share ?? 0),
    errorRate: stableSpike ?? settings.baseErrorRate,
    spiking: stableSpike !== undefined,
  });
  if (canary) {
    const spike = spikeOf(canary.version, canary.startedAt);
    loads.push({
      version: canary.version,
      releaseId: canary.releaseId,
      correlationId: canary.correlationId,
      traceparent: canary.traceparent,
      share: canary.share,
      errorRate: spike ?? settings.baseErrorRate,
      spiking: spike !== undefined,
    });
  }
  return loads;
}

/**
 * Simulates one window of a service's traffic: each request goes to a version with its share's
 * probability and fails with that version's error rate (binomial draws, so noise is real noise).
 */
export function simulateWindow(
  service: string,
  loads: readonly VersionLoad[],
  window: { start: number; durationMs: number },
  settings: TrafficSettings,
  random: () => number = Math.random,
): (RequestSamples & { correlationId?: string; traceparent?: string; spiking: boolean })[] {
  const total = Math.round((settings.requestsPerSecond * window.durationMs) / 1000);
  let remaining = total;
  let shareLeft = 1;
  return loads.map((load, i) => {
    const last = i === loads.length - 1;
    const requests = last
      ? remaining
      : binomial(remaining, shareLeft > 0 ? Math.min(1, load.share / shareLeft) : 0, random);
    remaining -= requests;
    shareLeft -= load.share;
    const errors = binomial(requests, load.errorRate, random);
    const p50 = 35 + 10 * random() + (load.spiking ? 40 : 0);
    return {
      service,
      version: load.version,
      releaseId: load.releaseId,
      windowStart: new Date(window.start),
      windowMs: window.durationMs,
      requests,
      errors,
      latencyP50Ms: Math.round(p50 * 10) / 10,
      latencyP99Ms: Math.round(p50 * (3 + random() + (load.spiking ? 4 : 0)) * 10) / 10,
      correlationId: load.correlationId,
      traceparent: load.traceparent,
      spiking: load.spiking,
    };
  });
}

function binomial(n: number, p: number, random: () => number): number {
  if (p <= 0) return 0;
  if (p >= 1) return n;
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}
