/**
 * The watchdog's statistics, pure functions over request counts.
 *
 * The question asked on every canary sample: "is the canary's error rate worse than the stable
 * version's, by more than noise can explain and by enough to matter?" Answered with a one-sided
 * two-proportion z-test on the rolling window (recent canary requests against the baseline's in
 * the same time span), guarded three ways so noise does not trip it:
 * - a minimum number of requests on each side before any verdict (the normal approximation
 *   needs it, and a handful of early errors proves nothing);
 * - a strict threshold (default z ≥ 4, one-sided p ≈ 3e-5): the test is repeated on every
 *   sample, so the per-look false alarm rate must be tiny for the per-canary rate to stay small;
 * - a materiality margin (default 2 percentage points): with enough traffic any difference
 *   becomes "significant", only a material one should roll back a release. Checked as a test,
 *   not on the point estimate: z of (canary - baseline - margin) over the unpooled standard
 *   error must reach `marginZ` (default 2), so a small real increase plus noise does not pass.
 */

/** Requests and errors of one version in one telemetry window. */
export interface WindowCounts {
  /** Window start, ms since the epoch. */
  start: number;
  /** Window length, ms. */
  durationMs: number;
  requests: number;
  errors: number;
}

export interface DetectionSettings {
  /** Rolling window the test looks at, ms back from the newest canary window's end. */
  horizonMs: number;
  /** Requests needed on the canary side (and on the baseline side) before a verdict. */
  minRequests: number;
  /** z needed to call the canary worse. */
  zThreshold: number;
  /** Materiality margin: the increase (canary rate minus baseline rate, 0.02 = 2 points) that matters. */
  minIncrease: number;
  /** z the increase must reach over the margin (unpooled standard error). */
  marginZ: number;
  /** Likelihood-ratio statistic a change point needs to count (chi-square, 1 df; 10.83 is p = 0.001). */
  changePointThreshold: number;
}

export const DEFAULT_DETECTION: DetectionSettings = {
  horizonMs: 3_000,
  minRequests: 200,
  zThreshold: 4,
  minIncrease: 0.02,
  marginZ: 2,
  changePointThreshold: 10.83,
};

export interface ZTest {
  /** (p1 - p2) / standard error under the pooled null; 0 when both sides have no variance. */
  z: number;
  /** One-sided p-value of z (chance of a z at least this large if the rates were equal). */
  pValue: number;
  rate1: number;
  rate2: number;
}

/** One-sided two-proportion z-test that side 1's rate exceeds side 2's. */
export function twoProportionZTest(
  errors1: number,
  requests1: number,
  errors2: number,
  requests2: number,
): ZTest {
  const rate1 = requests1 > 0 ? errors1 / requests1 : 0;
  const rate2 = requests2 > 0 ? errors2 / requests2 : 0;
  if (requests1 === 0 || requests2 === 0) return { z: 0, pValue: 1, rate1, rate2 };
  const pooled = (errors1 + errors2) / (requests1 + requests2);
  const variance = pooled * (1 - pooled) * (1 / requests1 + 1 / requests2);
  if (variance <= 0) return { z: 0, pValue: rate1 > rate2 ? 0 : 1, rate1, rate2 };
  const z = (rate1 - rate2) / Math.sqrt(variance);
  return { z, pValue: upperTail(z), rate1, rate2 };
}

/**
 * z of (rate1 - rate2 - margin) with the unpooled standard error: how surely side 1 exceeds side 2
 * by more than `margin`. Infinite when neither side varies (all or no errors).
 */
export function marginZ(
  errors1: number,
  requests1: number,
  errors2: number,
  requests2: number,
  margin: number,
): number {
  if (requests1 === 0 || requests2 === 0) return -Infinity;
  const rate1 = errors1 / requests1;
  const rate2 = errors2 / requests2;
  const excess = rate1 - rate2 - margin;
  const variance = (rate1 * (1 - rate1)) / requests1 + (rate2 * (1 - rate2)) / requests2;
  if (variance <= 0) return excess > 0 ? Infinity : -Infinity;
  return excess / Math.sqrt(variance);
}

/** P(Z ≥ z) for a standard normal Z. */
export function upperTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

/**
 * Complementary error function, Chebyshev fit from Numerical Recipes (erfcc): fractional error
 * below 1.2e-7 everywhere, so tiny p-values keep their magnitude (A&S 7.1.26 only has absolute error).
 */
export function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const poly =
    -1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t *
                  (-0.18628806 +
                    t *
                      (0.27886807 +
                        t *
                          (-1.13520398 +
                            t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const answer = t * Math.exp(-x * x + poly);
  return x >= 0 ? answer : 2 - answer;
}

function binomialLogLikelihood(errors: number, requests: number): number {
  if (requests === 0 || errors === 0 || errors === requests) return 0;
  const rate = errors / requests;
  return errors * Math.log(rate) + (requests - errors) * Math.log(1 - rate);
}

/**
 * Where the canary's errors began: the maximum-likelihood change point of a binomial sequence
 * with one upward shift (rate a before, rate b > a from that window on). Returns the index of the
 * first window after the change, or 0 when no split explains the data significantly better than
 * one constant rate (then the canary was bad from its first window). `windows` must be in time order.
 */
export function changePoint(
  windows: readonly WindowCounts[],
  threshold = DEFAULT_DETECTION.changePointThreshold,
): number {
  let totalErrors = 0;
  let totalRequests = 0;
  for (const w of windows) {
    totalErrors += w.errors;
    totalRequests += w.requests;
  }
  const flat = binomialLogLikelihood(totalErrors, totalRequests);
  let best = 0;
  let bestGain = 0;
  let beforeErrors = 0;
  let beforeRequests = 0;
  for (let k = 1; k < windows.length; k++) {
    const previous = windows[k - 1] as WindowCounts;
    beforeErrors += previous.errors;
    beforeRequests += previous.requests;
    const afterErrors = totalErrors - beforeErrors;
    const afterRequests = totalRequests - beforeRequests;
    if (beforeRequests === 0 || afterRequests === 0) continue;
    // Only an increase is a change we look for.
    if (afterErrors / afterRequests <= beforeErrors / beforeRequests) continue;
    const gain =
      binomialLogLikelihood(beforeErrors, beforeRequests) +
      binomialLogLikelihood(afterErrors, afterRequests) -
      flat;
    if (gain > bestGain) {
      bestGain = gain;
      best = k;
    }
  }
  return 2 * bestGain >= threshold ? best : 0;
}

export interface CanaryVerdict {
  degraded: boolean;
  /** Why not (yet), when not degraded. */
  reason?: 'too-few-requests' | 'not-significant' | 'increase-too-small';
  canaryRequests: number;
  canaryErrors: number;
  baselineRequests: number;
  baselineErrors: number;
  canaryErrorRate: number;
  baselineErrorRate: number;
  zScore: number;
  pValue: number;
  /** Start of the window where the canary's errors began (set when degraded). */
  firstBadSampleAt?: number;
}

/**
 * Judges the canary on the rolling window ending at its newest window. `canary` holds the canary's
 * windows since it started (any order; the change point search uses all of them), `baseline` the
 * stable version's windows (only those overlapping the rolling window count).
 */
export function judgeCanary(
  canary: readonly WindowCounts[],
  baseline: readonly WindowCounts[],
  settings: DetectionSettings = DEFAULT_DETECTION,
): CanaryVerdict {
  const ordered = isSorted(canary) ? canary : [...canary].sort((a, b) => a.start - b.start);
  const newest = ordered[ordered.length - 1];
  const end = newest ? newest.start + newest.durationMs : 0;
  const from = end - settings.horizonMs;
  const inHorizon = (w: WindowCounts) => w.start >= from && w.start < end;
  const sum = (windows: readonly WindowCounts[]) => {
    let requests = 0;
    let errors = 0;
    for (const w of windows)
      if (inHorizon(w)) {
        requests += w.requests;
        errors += w.errors;
      }
    return { requests, errors };
  };
  const c = sum(ordered);
  const b = sum(baseline);
  const test = twoProportionZTest(c.errors, c.requests, b.errors, b.requests);
  const verdict: CanaryVerdict = {
    degraded: false,
    canaryRequests: c.requests,
    canaryErrors: c.errors,
    baselineRequests: b.requests,
    baselineErrors: b.errors,
    canaryErrorRate: test.rate1,
    baselineErrorRate: test.rate2,
    zScore: test.z,
    pValue: test.pValue,
  };
  if (c.requests < settings.minRequests || b.requests < settings.minRequests)
    return { ...verdict, reason: 'too-few-requests' };
  if (test.z < settings.zThreshold) return { ...verdict, reason: 'not-significant' };
  if (marginZ(c.errors, c.requests, b.errors, b.requests, settings.minIncrease) < settings.marginZ)
    return { ...verdict, reason: 'increase-too-small' };
  const firstBad = ordered[changePoint(ordered, settings.changePointThreshold)] as WindowCounts;
  return { ...verdict, degraded: true, firstBadSampleAt: firstBad.start };
}

function isSorted(windows: readonly WindowCounts[]): boolean {
  for (let i = 1; i < windows.length; i++)
    if ((windows[i] as WindowCounts).start < (windows[i - 1] as WindowCounts).start) return false;
  return true;
}
