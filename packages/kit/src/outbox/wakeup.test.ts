import { Wakeup, backoffMs, withTimeout } from './wakeup';

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

  test('backoff is jittered below a growing cap', () => {
    for (let i = 0; i < 100; i++) {
      expect(backoffMs(1, 100, 5_000)).toBeLessThanOrEqual(200);
      expect(backoffMs(30, 100, 5_000)).toBeLessThanOrEqual(5_000);
    }
  });

  test('withTimeout rejects a promise that does not settle', async () => {
    await expect(withTimeout(new Promise(() => undefined), 20, 'publish')).rejects.toThrow(
      /publish: expected an answer within 20 ms/,
    );
    await expect(withTimeout(Promise.resolve(3), 20, 'x')).resolves.toBe(3);
  });
});
