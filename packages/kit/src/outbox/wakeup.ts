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

/** Exponential backoff with full jitter, capped. */
export function backoffMs(failures: number, baseMs = 100, capMs = 5_000): number {
  return Math.random() * Math.min(capMs, baseMs * 2 ** Math.min(failures, 20));
}

/** Rejects after `ms` if the promise has not settled; the timer never keeps the process alive. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: expected an answer within ${ms} ms, found none`)),
      ms,
    );
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
