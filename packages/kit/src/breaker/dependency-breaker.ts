import CircuitBreaker from 'opossum';
import type { BreakerStateName } from '../observability/metrics';
import { BreakerOpenError } from '../retry/classify';

type Call = () => unknown;

/**
 * A circuit breaker guarding one downstream dependency (an HTTP API, a database), shared by
 * every handler of the service. `run(fn)` calls through it; while it is open the call fails
 * fast with BreakerOpenError, which makes the runtime pause the partition rather than retry.
 *
 * Limit: a poison event whose call fails every time keeps the breaker cycling (each half-open
 * trial is that event again) instead of reaching the DLQ. Use `ignoreError` for failures that
 * are the event's fault (a 4xx), so they neither trip the breaker nor block the partition.
 */
export class DependencyBreaker {
  constructor(
    readonly name: string,
    /** The opossum breaker, for stats or events not covered here. */
    readonly circuit: CircuitBreaker<[Call], unknown>,
  ) {}

  async run<T>(fn: () => Promise<T> | T): Promise<T> {
    try {
      return (await this.circuit.fire(fn)) as T;
    } catch (error) {
      if (isOpenRejection(error)) throw new BreakerOpenError(this.name);
      // The failure tripped the breaker (or it opened meanwhile): retrying in process would only
      // meet the open breaker, so the event waits for it instead, keeping its retries.
      if (this.circuit.opened) throw new BreakerOpenError(this.name, error);
      throw error;
    }
  }

  get state(): BreakerStateName {
    if (this.circuit.opened) return 'open';
    if (this.circuit.halfOpen) return 'half-open';
    return 'closed';
  }

  /** Closed, or half-open with the trial call still available: a call would reach the dependency. */
  get admitsCalls(): boolean {
    return this.circuit.closed || this.circuit.pendingClose;
  }
}

function isOpenRejection(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'EOPENBREAKER' &&
    CircuitBreaker.isOurError(error)
  );
}
