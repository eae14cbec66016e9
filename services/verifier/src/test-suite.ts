import { createHash } from 'node:crypto';

/** The simulated suite's tests; a failing run names one to three of them. */
export const SUITE = [
  'api/health answers 200',
  'api/orders round-trips an order',
  'api/orders rejects a negative quantity',
  'auth/login issues a token',
  'auth/login locks after five failures',
  'billing/invoice totals match line items',
  'billing/refund is idempotent',
  'search/query returns ranked results',
  'search/index survives a restart',
  'migrations/apply cleanly on an empty database',
  'contracts/events match the registered schemas',
  'load/p99 latency under 250 ms at 200 rps',
] as const;

export interface SuiteSettings {
  /** How long the simulated suite takes. */
  durationMs: number;
  /** A version containing this fails its tests (scenario marker). */
  failMarker: string;
  /** Chance that any other version fails, between 0 and 1. */
  failureRate: number;
}

export type SuiteResult =
  | { passed: true; passedTests: number; durationMs: number }
  | { passed: false; failedTests: string[]; reason: string; durationMs: number };

/**
 * Runs the simulated test suite of `version`: waits `durationMs` (abortable), then passes unless
 * the version carries the failure marker or the dice say so. Which tests fail follows from the
 * version, so a re-run of the same release reports the same failures.
 */
export async function runSuite(
  version: string,
  settings: SuiteSettings,
  signal: AbortSignal,
  random: () => number = Math.random,
): Promise<SuiteResult> {
  const started = Date.now();
  await sleep(settings.durationMs, signal);
  const durationMs = Date.now() - started;
  const fails = version.includes(settings.failMarker) || random() < settings.failureRate;
  if (!fails) return { passed: true, passedTests: SUITE.length, durationMs };
  const failedTests = failingTests(version);
  return {
    passed: false,
    failedTests,
    reason: `${failedTests.length} of ${SUITE.length} tests failed`,
    durationMs,
  };
}

export function failingTests(version: string): string[] {
  const digest = createHash('sha256').update(version).digest();
  const count = 1 + ((digest[0] ?? 0) % 3);
  const picked = new Set<string>();
  for (let i = 1; picked.size < count; i++)
    picked.add(SUITE[(digest[i] ?? i) % SUITE.length] as string);
  return [...picked];
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
