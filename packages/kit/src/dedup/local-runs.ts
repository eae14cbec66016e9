/** A key's turn to run in this process; `endAfter` hands the key to the next waiter once `settled` settles. */
export interface LocalTurn {
  endAfter(settled: Promise<unknown>): void;
}

/**
 * One run at a time per dedup key inside one process. Redis leases keep other processes out, but
 * a lease does not tell two partitions of the same instance apart (both are its owner), so events
 * with one key arriving on different partitions are serialized here: the later one waits for the
 * earlier run to settle and then finds the key done, or claims it when the earlier run failed.
 *
 * Turns are granted in arrival order. A wait is bounded (`maxWaitMs`, normally the lease) and
 * ends early when `signal` aborts; either way `waitForTurn` resolves undefined and the caller
 * treats the key as busy (the event is delivered again later), never as done.
 */
export class LocalRuns {
  /** key → the tail of its queue: resolves when the latest turn taken for it has ended. */
  private readonly tails = new Map<string, Promise<void>>();

  isRunning(key: string): boolean {
    return this.tails.has(key);
  }

  /** The turn at once when the key is free here (no promise on this, the usual path), else after a wait. */
  waitForTurn(
    key: string,
    maxWaitMs: number,
    signal: () => AbortSignal | undefined,
  ): LocalTurn | Promise<LocalTurn | undefined> {
    const previous = this.tails.get(key);
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    // Queue behind the previous turn even if we give up waiting: the next waiter then waits for both.
    const tail = previous ? previous.then(() => ended) : ended;
    this.tails.set(key, tail);
    const turn: LocalTurn = {
      endAfter: (settled) => {
        const finish = () => {
          end();
          if (this.tails.get(key) === tail) this.tails.delete(key);
        };
        settled.then(finish, finish);
      },
    };
    if (!previous) return turn;
    return settlesWithin(previous, maxWaitMs, signal()).then((inTime) => {
      if (inTime) return turn;
      turn.endAfter(previous);
      return undefined;
    });
  }
}

/** True when `work` settles before `ms` pass and before `signal` aborts. */
function settlesWithin(work: Promise<void>, ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const done = (settledInTime: boolean) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(settledInTime);
    };
    const onAbort = () => done(false);
    const timer = setTimeout(() => done(false), ms);
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(
      () => done(true),
      () => done(true),
    );
  });
}
