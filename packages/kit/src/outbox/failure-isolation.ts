import { toError } from '../errors';

/** What became of one claimed batch: rows Kafka acknowledged, and the row each stuck aggregate stopped at. */
export interface IsolatedOutcome<R> {
  published: R[];
  /** At most one per aggregate: its first row that could not be published. Later rows were not tried. */
  failed: { row: R; error: Error }[];
}

interface Isolation<R> {
  send: (rows: R[]) => Promise<void>;
  timeLeft: () => boolean;
  outcome: IsolatedOutcome<R>;
}

/**
 * Publishes a claimed batch so that a row Kafka refuses fails only its own aggregate.
 *
 * `runs` is the batch split by aggregate, each run in id order. The whole batch goes in one send;
 * only if that fails is it split: halves of the runs are sent separately (concurrently, they share
 * no aggregate), recursively, until a failing send holds a single run. Within that run a prefix is
 * published in halves until the first row that fails alone, so the rows before it go out and the
 * rows after it are not tried (they must not overtake it). A batch with k refused rows costs about
 * k·log2(batch) extra sends, and nothing when every row goes.
 *
 * Once `timeLeft()` says no, a failed part is not split further: the head of each of its runs is
 * reported failed with the part's error. So every round settles something and the next claim moves
 * past it, even when each failing send is slow; an innocent head caught that way only waits a little.
 *
 * A send that failed may still have written some partitions (Kafka judges each partition on its
 * own); those rows are sent again here or later: at-least-once, as everywhere in the outbox.
 */
export async function publishIsolatingFailures<R>(
  runs: readonly (readonly R[])[],
  send: (rows: R[]) => Promise<void>,
  timeLeft: () => boolean = () => true,
): Promise<IsolatedOutcome<R>> {
  const isolation: Isolation<R> = { send, timeLeft, outcome: { published: [], failed: [] } };
  const all = runs.flat();
  const error = await trySend(send, all);
  if (error === undefined) isolation.outcome.published.push(...all);
  else await isolateRuns(runs, error, isolation);
  return isolation.outcome;
}

/** `runs` failed together with `error`. */
async function isolateRuns<R>(
  runs: readonly (readonly R[])[],
  error: Error,
  isolation: Isolation<R>,
): Promise<void> {
  const [only] = runs;
  if (runs.length === 1 && only) {
    await isolateWithinRun(only, error, isolation);
    return;
  }
  if (!isolation.timeLeft()) {
    for (const [head] of runs)
      if (head !== undefined) isolation.outcome.failed.push({ row: head, error });
    return;
  }
  const middle = Math.ceil(runs.length / 2);
  await Promise.all(
    [runs.slice(0, middle), runs.slice(middle)].map(async (half) => {
      const rows = half.flat();
      const halfError = await trySend(isolation.send, rows);
      if (halfError === undefined) isolation.outcome.published.push(...rows);
      else await isolateRuns(half, halfError, isolation);
    }),
  );
}

/**
 * One aggregate's rows, in order, failed together with `error`: publishes up to the first row that
 * fails alone. Returns false if it stopped at such a row (the caller must not send later rows).
 */
async function isolateWithinRun<R>(
  run: readonly R[],
  error: Error,
  isolation: Isolation<R>,
): Promise<boolean> {
  const [head] = run;
  if (head === undefined) return true;
  if (run.length === 1 || !isolation.timeLeft()) {
    isolation.outcome.failed.push({ row: head, error });
    return false;
  }
  const middle = Math.ceil(run.length / 2);
  for (const part of [run.slice(0, middle), run.slice(middle)]) {
    const partError = await trySend(isolation.send, part);
    if (partError === undefined) isolation.outcome.published.push(...part);
    // Failed only together with the rest (too large as a whole, or a failure that passed)?
    // Then the part went out in smaller sends and the run continues.
    else if (!(await isolateWithinRun(part, partError, isolation))) return false;
  }
  return true;
}

async function trySend<R>(
  send: (rows: R[]) => Promise<void>,
  rows: R[],
): Promise<Error | undefined> {
  try {
    await send(rows);
    return undefined;
  } catch (error) {
    return toError(error);
  }
}
