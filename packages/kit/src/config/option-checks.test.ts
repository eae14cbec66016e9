import { ConfigError } from '../errors';
import { positiveInteger } from './option-checks';

test('positiveInteger passes positive integers through', () => {
  expect(positiveInteger('relay.batchSize', 1)).toBe(1);
  expect(positiveInteger('relay.batchSize', 500)).toBe(500);
});

test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
  'positiveInteger rejects %p with a ConfigError naming the option',
  (value) => {
    expect(() => positiveInteger('relay.batchSize', value)).toThrow(ConfigError);
    expect(() => positiveInteger('relay.batchSize', value)).toThrow(
      `relay.batchSize: expected a positive integer, found "${String(value)}"`,
    );
  },
);

test('positiveInteger names the unit when given', () => {
  expect(() => positiveInteger('dedup.leaseMs', 0, 'ms')).toThrow(
    'dedup.leaseMs: expected a positive integer of ms, found "0"',
  );
});
