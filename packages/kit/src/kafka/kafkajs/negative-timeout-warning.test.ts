import { ignoreKafkajsNegativeTimeoutWarning } from './negative-timeout-warning';

// kafkajs ships no types for its internals; the request queue is what arms the negative timer.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as new (options: object) => {
  scheduleCheckPendingRequests(): void;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
};

/** A stand-in process: the filter wraps its emitWarning, which records what got through. */
function fakeProcess() {
  const emitted: unknown[][] = [];
  const target = { emitWarning: (...args: unknown[]) => void emitted.push(args) };
  ignoreKafkajsNegativeTimeoutWarning(target as unknown as NodeJS.Process);
  return { target: target as unknown as NodeJS.Process, emitted };
}

/** Runs kafkajs's request queue with a setTimeout that warns through `target` as Node 23+ does. */
function scheduleWithNodeTimers(target: NodeJS.Process): number[] {
  const delays: number[] = [];
  const realSetTimeout = global.setTimeout;
  const spy = jest.spyOn(global, 'setTimeout').mockImplementation(((
    callback: () => void,
    delay: number,
  ) => {
    delays.push(delay);
    if (delay < 0)
      target.emitWarning(
        `${delay} is a negative number.\nTimeout duration was set to 1.`,
        'TimeoutNegativeWarning',
      );
    return realSetTimeout(callback, 1);
  }) as typeof setTimeout);
  const queue = new RequestQueue({
    instrumentationEmitter: { emit: () => undefined },
    maxInFlightRequests: 1,
    requestTimeout: 1_000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: '127.0.0.1:9092',
    logger: { debug: () => undefined, info: () => undefined, warn: () => undefined },
    isConnected: () => true,
  });
  try {
    queue.scheduleCheckPendingRequests();
  } finally {
    spy.mockRestore();
    clearTimeout(queue.throttleCheckTimeoutId ?? undefined);
  }
  return delays;
}

test("drops the TimeoutNegativeWarning raised by kafkajs's request queue", () => {
  const { target, emitted } = fakeProcess();
  // What the filter is for: when this no longer holds, kafkajs was fixed and the filter can go.
  const delays = scheduleWithNodeTimers(target);
  expect(delays).toHaveLength(1);
  expect(delays[0]).toBeLessThan(0);
  expect(emitted).toEqual([]);
});

test('lets every other warning through, a TimeoutNegativeWarning from other code included', () => {
  const { target, emitted } = fakeProcess();
  target.emitWarning('-5 is a negative number.', 'TimeoutNegativeWarning');
  target.emitWarning('-6 is a negative number.', { type: 'TimeoutNegativeWarning' });
  target.emitWarning('too many listeners', 'MaxListenersExceededWarning');
  const error = new Error('-7 is a negative number.');
  error.name = 'TimeoutNegativeWarning';
  target.emitWarning(error);
  expect(emitted).toEqual([
    ['-5 is a negative number.', 'TimeoutNegativeWarning'],
    ['-6 is a negative number.', { type: 'TimeoutNegativeWarning' }],
    ['too many listeners', 'MaxListenersExceededWarning'],
    [error],
  ]);
});

test('wraps a process once, however many drivers install it', () => {
  const { target } = fakeProcess();
  const wrapped = target.emitWarning;
  ignoreKafkajsNegativeTimeoutWarning(target);
  expect(target.emitWarning).toBe(wrapped);
});
