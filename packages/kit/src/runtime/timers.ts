import { TroupeError } from '../errors';

export class TimeoutError extends TroupeError {
  constructor(
    what: string,
    readonly timeoutMs: number,
  ) {
    super('TIMEOUT', `${what} did not finish within ${timeoutMs}ms`);
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Races `work` against a timer. The work is not cancelled (most client libraries cannot be);
 * the caller just stops waiting for it and gets a TimeoutError (code TIMEOUT) naming `what`.
 * A non-finite or non-positive `ms` means no limit. The timer never keeps the process alive.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  if (!Number.isFinite(ms) || ms <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
