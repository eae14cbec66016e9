import type { RetryOptions } from 'kafkajs';
import { deliveryRetry } from './delivery-retry';

// kafkajs's own retrier, as its producer runs it (not a copy of its arithmetic).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const createRetry = require('kafkajs/src/retry') as (
  options: RetryOptions,
) => (fn: () => Promise<never>) => Promise<never>;

/** Virtual milliseconds kafkajs keeps retrying an operation that always fails retriably. */
async function retriesFor(options: RetryOptions): Promise<number> {
  jest.useFakeTimers();
  try {
    const started = Date.now();
    let failed = false;
    const attempt = Object.assign(new Error('connect ECONNREFUSED'), { retriable: true });
    createRetry(options)(() => Promise.reject(attempt)).catch(() => (failed = true));
    // Steps of 250 virtual ms: fine enough for the bounds below, few enough to stay quick on a
    // loaded machine (two minutes of back-off are 480 steps).
    while (!failed) await jest.advanceTimersByTimeAsync(250);
    return Date.now() - started;
  } finally {
    jest.useRealTimers();
  }
}

test.each([15_000, 30_000, 120_000])(
  'kafkajs keeps retrying for about %i ms (within 15 %, and one back-off), finding a broker back within 2 s',
  async (timeout) => {
    const retry = deliveryRetry(timeout);
    expect(retry.maxRetryTime).toBe(2_000);
    // Each back-off is drawn within ±20 %, and the last one may end past the timeout.
    for (let draw = 0; draw < 10; draw += 1) {
      const lasted = await retriesFor(retry);
      expect(lasted).toBeGreaterThan(timeout * 0.85);
      expect(lasted).toBeLessThan(timeout * 1.15 + retry.maxRetryTime!);
    }
  },
  30_000,
);

test("kafkajs's own defaults give up within 15 s: less than a broker restart takes", async () => {
  const lasted = await retriesFor({ retries: 5, initialRetryTime: 300, maxRetryTime: 30_000 });
  expect(lasted).toBeLessThan(15_000);
});
