/**
 * Why: kafkajs (2.2.4, its last release) arms a timer with a negative delay in its request queue
 * (network/requestQueue `scheduleCheckPendingRequests`: `setTimeout(…, throttledUntil - Date.now())`
 * while nothing is pending and it was never throttled, so throttledUntil is -1). Node has always run
 * such a timer after 1 ms, which is what kafkajs expects; since Node 23 it also prints a
 * TimeoutNegativeWarning on stderr, once per process. That line is noise on the stderr of every
 * process using the kafkajs driver (the CLI, services, the schema registry), and nothing a caller
 * can act on, so drop exactly that warning: only a TimeoutNegativeWarning, and only one raised
 * from inside kafkajs's request queue. Any other warning, a TimeoutNegativeWarning from any other
 * code included, is emitted as before (Node still prints only the process's first one, as it
 * would have without this filter). Node 20 and 22 do not have this warning: nothing changes there.
 *
 * Node's timers warn through `process.emitWarning` of the real process, so that is what is
 * wrapped (once per process, whichever copy of this module gets there first).
 */
const WARNING = 'TimeoutNegativeWarning';
const REQUEST_QUEUE = /[\\/]kafkajs[\\/]src[\\/]network[\\/]requestQueue[\\/]/;
const INSTALLED = Symbol.for('@troupe/kit: kafkajs TimeoutNegativeWarning filter');

type Emit = (warning: string | Error, ...rest: unknown[]) => void;

/** Installs the filter on `target` (the process); a second call does nothing. */
export function ignoreKafkajsNegativeTimeoutWarning(target: NodeJS.Process = process): void {
  const marked = target as NodeJS.Process & { [INSTALLED]?: true };
  if (marked[INSTALLED]) return;
  marked[INSTALLED] = true;
  const emitWarning = target.emitWarning as Emit;
  target.emitWarning = function emitWarningUnlessKafkajsNegativeTimeout(
    this: unknown,
    warning: string | Error,
    ...rest: unknown[]
  ): void {
    if (isNegativeTimeoutWarning(warning, rest[0]) && raisedByKafkajsRequestQueue()) return;
    Reflect.apply(emitWarning, this, [warning, ...rest]);
  } as NodeJS.Process['emitWarning'];
}

/** emitWarning(warning, type), (warning, { type }) or (error): Node's timers use the first form. */
function isNegativeTimeoutWarning(warning: string | Error, typeOrOptions: unknown): boolean {
  if (warning instanceof Error) return warning.name === WARNING;
  if (typeof typeOrOptions === 'string') return typeOrOptions === WARNING;
  return (typeOrOptions as { type?: unknown } | undefined)?.type === WARNING;
}

/** Whether kafkajs's request queue is on the stack: setTimeout calls emitWarning synchronously. */
function raisedByKafkajsRequestQueue(): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 20; // this wrapper, Node's Timeout and setTimeout, then the caller
  try {
    return REQUEST_QUEUE.test(new Error().stack ?? '');
  } finally {
    Error.stackTraceLimit = limit;
  }
}
