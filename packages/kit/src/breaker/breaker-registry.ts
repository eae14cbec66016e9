import CircuitBreaker from 'opossum';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '../observability/metrics';
import { DependencyBreaker } from './dependency-breaker';

/** A circuit breaker's thresholds (opossum's); every field has a default. */
export interface BreakerSettings {
  /** Failure percentage within the rolling window that opens the breaker. Default 50. */
  errorThresholdPercentage?: number;
  /** Calls within the window before the breaker may open at all. Default 5. */
  volumeThreshold?: number;
  /** Time open before one trial call is let through (half-open). Default 10s. */
  resetTimeoutMs?: number;
  /** Length of the statistics window. Default 10s. */
  rollingWindowMs?: number;
  /** opossum's per-call timeout; off by default because the handler timeout already bounds calls. */
  callTimeoutMs?: number | false;
  /** Errors for which this returns true do not count as dependency failures (e.g. a 404 for bad input). */
  ignoreError?: (error: Error) => boolean;
}

const DEFAULTS = {
  errorThresholdPercentage: 50,
  volumeThreshold: 5,
  resetTimeoutMs: 10_000,
  rollingWindowMs: 10_000,
  callTimeoutMs: false as const,
};

/**
 * The service's named breakers, created on first use with per-name settings over defaults.
 * It also tells the consumer when a breaker lets calls through again (`whenAdmitting`), which is
 * how partitions paused for an open breaker get resumed: on half-open (one trial call) and close.
 */
export class BreakerRegistry {
  private readonly breakers = new Map<string, DependencyBreaker>();
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly options: {
      defaults?: BreakerSettings;
      perName?: Record<string, BreakerSettings>;
      logger?: Logger;
      metrics?: ServiceMetrics;
    } = {},
  ) {}

  get(name: string): DependencyBreaker {
    let breaker = this.breakers.get(name);
    if (!breaker) this.breakers.set(name, (breaker = this.create(name)));
    return breaker;
  }

  /** The breakers created so far. */
  list(): DependencyBreaker[] {
    return [...this.breakers.values()];
  }

  /**
   * Calls `callback` once, as soon as breaker `name` admits calls again (at once if it already
   * does). Returns a function that cancels the wait.
   */
  whenAdmitting(name: string, callback: () => void): () => void {
    const breaker = this.get(name);
    if (breaker.admitsCalls) {
      const immediate = setImmediate(callback);
      return () => clearImmediate(immediate);
    }
    let set = this.waiters.get(name);
    if (!set) this.waiters.set(name, (set = new Set()));
    set.add(callback);
    return () => set.delete(callback);
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.circuit.shutdown();
    this.waiters.clear();
  }

  private create(name: string): DependencyBreaker {
    const settings = { ...DEFAULTS, ...this.options.defaults, ...this.options.perName?.[name] };
    const ignoreError = settings.ignoreError;
    const circuit = new CircuitBreaker<[() => unknown], unknown>(async (fn) => fn(), {
      name,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetTimeoutMs,
      rollingCountTimeout: settings.rollingWindowMs,
      timeout: settings.callTimeoutMs,
      errorFilter: ignoreError
        ? (error: unknown) => error instanceof Error && ignoreError(error)
        : undefined,
    });
    const log = this.options.logger?.child({ breaker: name });
    const metrics = this.options.metrics;
    metrics?.breaker(name, 'closed', false);
    circuit.on('open', () => {
      log?.warn(
        { resetTimeoutMs: settings.resetTimeoutMs },
        'breaker opened: pausing partitions that depend on it',
      );
      metrics?.breaker(name, 'open');
    });
    circuit.on('halfOpen', () => {
      log?.info('breaker half-open: resuming for a trial call');
      metrics?.breaker(name, 'half-open');
      this.release(name);
    });
    circuit.on('close', () => {
      log?.info('breaker closed');
      metrics?.breaker(name, 'closed');
      this.release(name);
    });
    return new DependencyBreaker(name, circuit);
  }

  private release(name: string): void {
    const set = this.waiters.get(name);
    if (!set || set.size === 0) return;
    this.waiters.delete(name);
    for (const callback of set) callback();
  }
}
