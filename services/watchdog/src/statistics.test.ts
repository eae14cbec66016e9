import {
  DEFAULT_DETECTION,
  WindowCounts,
  changePoint,
  erfc,
  judgeCanary,
  marginZ,
  twoProportionZTest,
  upperTail,
} from './statistics';

/** mulberry32: a seeded generator, so every run of these tests sees the same noise. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function binomial(n: number, p: number, random: () => number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

const WINDOW_MS = 100;

/** One telemetry window of each side, as the simulator makes them (40 canary, 160 stable requests). */
function window(i: number, requests: number, rate: number, random: () => number): WindowCounts {
  return {
    start: i * WINDOW_MS,
    durationMs: WINDOW_MS,
    requests,
    errors: binomial(requests, rate, random),
  };
}

interface Run {
  /** Index of the first window judged degraded, or -1. */
  trippedAt: number;
  firstBadSampleAt?: number;
}

/** Feeds windows one by one and judges after each, as the watchdog does on every sample. */
function play(
  windows: number,
  canaryRate: (i: number) => number,
  random: () => number,
  baselineRate = 0.01,
): Run {
  const canary: WindowCounts[] = [];
  const baseline: WindowCounts[] = [];
  for (let i = 0; i < windows; i++) {
    baseline.push(window(i, 160, baselineRate, random));
    canary.push(window(i, 40, canaryRate(i), random));
    const verdict = judgeCanary(canary, baseline);
    if (verdict.degraded) return { trippedAt: i, firstBadSampleAt: verdict.firstBadSampleAt };
  }
  return { trippedAt: -1 };
}

describe('normal tail', () => {
  it('matches known values of the standard normal', () => {
    expect(upperTail(0)).toBeCloseTo(0.5, 7);
    expect(upperTail(1.959964)).toBeCloseTo(0.025, 6);
    expect(upperTail(-1.959964)).toBeCloseTo(0.975, 6);
    expect(upperTail(4) / 3.167124e-5).toBeCloseTo(1, 5);
    // Far tail keeps its relative precision (erfc, not 1 - erf).
    expect(upperTail(8) / 6.220961e-16).toBeCloseTo(1, 4);
    expect(erfc(0)).toBeCloseTo(1, 7);
  });
});

describe('two-proportion z-test', () => {
  it('computes z with the pooled standard error', () => {
    // 30/200 vs 20/400: pooled 50/600, se = sqrt(p(1-p)(1/200+1/400)) = 0.023935
    const test = twoProportionZTest(30, 200, 20, 400);
    expect(test.rate1).toBeCloseTo(0.15, 10);
    expect(test.rate2).toBeCloseTo(0.05, 10);
    expect(test.z).toBeCloseTo(0.1 / 0.0239356, 3);
  });

  it('answers z = 0 and p = 1 when a side has no requests or there is no variance', () => {
    expect(twoProportionZTest(0, 0, 3, 100)).toMatchObject({ z: 0, pValue: 1 });
    expect(twoProportionZTest(0, 100, 0, 100)).toMatchObject({ z: 0, pValue: 1 });
  });
});

describe('margin z', () => {
  it('measures the excess over the margin in unpooled standard errors', () => {
    // 0.10 - 0.02 - 0.02 = 0.06 over sqrt(.1*.9/400 + .02*.98/1000) = 0.0156397
    expect(marginZ(40, 400, 20, 1000, 0.02)).toBeCloseTo(0.06 / 0.0156397, 3);
    expect(marginZ(0, 100, 0, 100, 0.02)).toBe(-Infinity);
    expect(marginZ(100, 100, 0, 100, 0.02)).toBe(Infinity);
  });
});

describe('judgeCanary', () => {
  it('gives no verdict below the minimum number of requests, however bad the canary looks', () => {
    const canary = [{ start: 0, durationMs: 100, requests: 40, errors: 40 }];
    const baseline = [{ start: 0, durationMs: 100, requests: 160, errors: 0 }];
    expect(judgeCanary(canary, baseline)).toMatchObject({
      degraded: false,
      reason: 'too-few-requests',
    });
  });

  it('does not trip on noise when canary and baseline fail at the same rate (100 canaries x 30 s)', () => {
    const random = seeded(42);
    let tripped = 0;
    for (let canaryRun = 0; canaryRun < 100; canaryRun++) {
      if (play(300, () => 0.01, random).trippedAt >= 0) tripped++;
    }
    expect(tripped).toBe(0);
  });

  it('does not trip on noise at a higher shared error rate either (5%)', () => {
    const random = seeded(7);
    let tripped = 0;
    for (let canaryRun = 0; canaryRun < 50; canaryRun++) {
      if (play(300, () => 0.05, random, 0.05).trippedAt >= 0) tripped++;
    }
    expect(tripped).toBe(0);
  });

  it('does not roll back for an increase that is significant but too small to matter (1% → 1.8%)', () => {
    const random = seeded(3);
    let tripped = 0;
    for (let canaryRun = 0; canaryRun < 50; canaryRun++) {
      if (play(300, () => 0.018, random).trippedAt >= 0) tripped++;
    }
    expect(tripped).toBe(0);
  });

  it('does trip on a material increase that persists (1% → 6%)', () => {
    const random = seeded(9);
    let tripped = 0;
    for (let canaryRun = 0; canaryRun < 50; canaryRun++) {
      if (play(300, () => 0.06, random).trippedAt >= 0) tripped++;
    }
    expect(tripped).toBe(50);
  });

  it('trips within a few windows of a real spike and dates the first bad window', () => {
    const random = seeded(11);
    const spikeAt = 10; // 1 s of healthy canary traffic, then 30% errors
    const delays: number[] = [];
    const dating: number[] = [];
    for (let canaryRun = 0; canaryRun < 100; canaryRun++) {
      const run = play(100, (i) => (i >= spikeAt ? 0.3 : 0.01), random);
      expect(run.trippedAt).toBeGreaterThanOrEqual(spikeAt);
      delays.push(run.trippedAt - spikeAt);
      dating.push((run.firstBadSampleAt as number) / WINDOW_MS - spikeAt);
    }
    // Detected on the 1st-4th window of the spike (100-400 ms of bad traffic).
    expect(Math.max(...delays)).toBeLessThanOrEqual(3);
    // The change point names the true first bad window, or one next to it.
    expect(dating.every((d) => Math.abs(d) <= 1)).toBe(true);
    expect(dating.filter((d) => d === 0).length).toBeGreaterThanOrEqual(80);
  });

  it('dates a canary that is bad from its first window at its first window', () => {
    const random = seeded(5);
    const run = play(50, () => 0.3, random);
    expect(run.trippedAt).toBeGreaterThanOrEqual(0);
    expect(run.firstBadSampleAt).toBe(0);
  });

  it('only counts baseline windows inside the rolling horizon', () => {
    const canary = Array.from({ length: 40 }, (_, i) => ({
      start: 10_000 + i * 100,
      durationMs: 100,
      requests: 40,
      errors: 1,
    }));
    // An old baseline full of errors must not make the canary look fine.
    const baseline = [
      { start: 0, durationMs: 100, requests: 100_000, errors: 50_000 },
      ...Array.from({ length: 40 }, (_, i) => ({
        start: 10_000 + i * 100,
        durationMs: 100,
        requests: 160,
        errors: 0,
      })),
    ];
    const verdict = judgeCanary(canary, baseline, { ...DEFAULT_DETECTION, minIncrease: 0.01 });
    expect(verdict.baselineRequests).toBe(160 * 30);
    expect(verdict.degraded).toBe(true);
  });
});

describe('changePoint', () => {
  it('returns 0 for a constant rate and the shift index for a clear step', () => {
    const flat = Array.from({ length: 30 }, (_, i) => ({
      start: i,
      durationMs: 1,
      requests: 100,
      errors: 2,
    }));
    expect(changePoint(flat)).toBe(0);
    const step = flat.map((w, i) => (i >= 17 ? { ...w, errors: 30 } : w));
    expect(changePoint(step)).toBe(17);
  });

  it('ignores a drop in the error rate', () => {
    const drop = Array.from({ length: 30 }, (_, i) => ({
      start: i,
      durationMs: 1,
      requests: 100,
      errors: i < 10 ? 30 : 1,
    }));
    expect(changePoint(drop)).toBe(0);
  });
});
