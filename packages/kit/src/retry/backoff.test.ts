import { backoffCeiling, fullJitterBackoff } from './backoff';

const policy = { baseMs: 100, maxMs: 5_000 };

test('the ceiling doubles per retry from baseMs and stops at maxMs', () => {
  expect([1, 2, 3, 4, 5, 6, 7].map((r) => backoffCeiling(r, policy))).toEqual([
    100, 200, 400, 800, 1600, 3200, 5000,
  ]);
  expect(backoffCeiling(10_000, policy)).toBe(5_000); // 2^9999 is Infinity: still capped
  expect(backoffCeiling(0, policy)).toBe(100);
});

test('full jitter: every wait is within [0, ceiling)', () => {
  for (let retry = 1; retry <= 12; retry++) {
    const ceiling = backoffCeiling(retry, policy);
    expect(fullJitterBackoff(retry, policy, () => 0)).toBe(0);
    expect(fullJitterBackoff(retry, policy, () => 0.999999)).toBe(ceiling - 1);
    for (let i = 0; i < 200; i++) {
      const wait = fullJitterBackoff(retry, policy);
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(ceiling);
      expect(Number.isInteger(wait)).toBe(true);
    }
  }
});

test('full jitter spreads waits over the whole range', () => {
  const waits = Array.from({ length: 2_000 }, () => fullJitterBackoff(4, policy));
  const mean = waits.reduce((a, b) => a + b, 0) / waits.length;
  expect(mean).toBeGreaterThan(300); // uniform on [0, 800): mean 400
  expect(mean).toBeLessThan(500);
  expect(Math.min(...waits)).toBeLessThan(80);
  expect(Math.max(...waits)).toBeGreaterThan(720);
});
