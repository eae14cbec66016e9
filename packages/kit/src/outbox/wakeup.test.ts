import { backoffCeiling, fullJitterBackoff } from '../retry/backoff';
import { RELAY_BACKOFF, Wakeup } from './wakeup';

describe('relay timing helpers', () => {
  test('a notification cuts the wait short', async () => {
    const wakeup = new Wakeup();
    const started = Date.now();
    setTimeout(() => wakeup.notify(), 10);
    await wakeup.wait(5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('a notification wakes every waiting loop', async () => {
    const wakeup = new Wakeup();
    const started = Date.now();
    setTimeout(() => wakeup.notify(), 10);
    await Promise.all([wakeup.wait(5_000), wakeup.wait(5_000)]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('a notification while not waiting is remembered once', async () => {
    const wakeup = new Wakeup();
    wakeup.notify();
    const started = Date.now();
    await wakeup.wait(5_000);
    expect(Date.now() - started).toBeLessThan(100);
    const again = Date.now();
    await wakeup.wait(30);
    expect(Date.now() - again).toBeGreaterThanOrEqual(25);
  });

  test('relay backoff is jittered below a cap that doubles from 200 ms to 5 s', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffCeiling(n, RELAY_BACKOFF))).toEqual([
      200, 400, 800, 1_600, 3_200, 5_000,
    ]);
    for (let i = 0; i < 100; i++) {
      expect(fullJitterBackoff(1, RELAY_BACKOFF)).toBeLessThan(200);
      expect(fullJitterBackoff(30, RELAY_BACKOFF)).toBeLessThan(5_000);
    }
  });
});
