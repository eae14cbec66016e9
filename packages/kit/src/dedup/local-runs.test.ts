import { LocalRuns } from './local-runs';

const noSignal = () => undefined;

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('LocalRuns: one run per key at a time in a process', () => {
  test('a free key gets its turn at once, without a promise', () => {
    const runs = new LocalRuns();
    const turn = runs.waitForTurn('k', 1_000, noSignal);
    expect(turn).not.toBeInstanceOf(Promise);
    expect(runs.isRunning('k')).toBe(true);
  });

  test('turns of one key follow arrival order; other keys do not wait', async () => {
    const runs = new LocalRuns();
    const order: string[] = [];
    const first = runs.waitForTurn('k', 1_000, noSignal) as { endAfter(p: Promise<void>): void };
    const second = Promise.resolve(runs.waitForTurn('k', 1_000, noSignal)).then((turn) => {
      order.push('second');
      return turn;
    });
    const third = Promise.resolve(runs.waitForTurn('k', 1_000, noSignal)).then((turn) => {
      order.push('third');
      return turn;
    });
    expect(runs.waitForTurn('other', 1_000, noSignal)).not.toBeInstanceOf(Promise);
    const firstRun = deferred();
    first.endAfter(firstRun.promise);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(order).toEqual([]); // the first run has not settled
    firstRun.reject(new Error('failed')); // a failed run hands the key on too
    (await second)!.endAfter(Promise.resolve());
    (await third)!.endAfter(Promise.resolve());
    expect(order).toEqual(['second', 'third']);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(runs.isRunning('k')).toBe(false);
  });

  test('a wait longer than maxWaitMs, or aborted, gives no turn; the next waiter still queues behind the run', async () => {
    const runs = new LocalRuns();
    const first = runs.waitForTurn('k', 1_000, noSignal) as { endAfter(p: Promise<void>): void };
    const firstRun = deferred();
    first.endAfter(firstRun.promise);
    expect(await runs.waitForTurn('k', 20, noSignal)).toBeUndefined();
    const aborted = new AbortController();
    const waiting = runs.waitForTurn('k', 10_000, () => aborted.signal);
    aborted.abort();
    expect(await waiting).toBeUndefined();
    let late = false;
    const next = Promise.resolve(runs.waitForTurn('k', 10_000, noSignal)).then((turn) => {
      late = true;
      return turn;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(late).toBe(false);
    firstRun.resolve();
    expect(await next).toBeDefined();
  });
});
