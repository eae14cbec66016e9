import type { BackoffPolicy } from '../retry/backoff';

/**
 * A relay's sleep that a notification cuts short, for every loop waiting on it. A notification
 * that arrives while nobody waits is remembered, so the next wait returns at once and no
 * notification is lost.
 */
export class Wakeup {
  private pending = false;
  private readonly waiters = new Set<() => void>();

  notify(): void {
    if (this.waiters.size === 0) this.pending = true;
    for (const wake of [...this.waiters]) wake();
  }

  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}

/**
 * How long a relay loop waits after its n-th failure in a row (fullJitterBackoff, 1-based):
 * uniform below 200 ms after the first, doubling up to 5 s, so relays that lost the same broker or
 * database do not come back in step.
 */
export const RELAY_BACKOFF: Pick<BackoffPolicy, 'baseMs' | 'maxMs'> = { baseMs: 200, maxMs: 5_000 };
