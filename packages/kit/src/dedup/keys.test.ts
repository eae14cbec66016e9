import { ConfigError } from '../errors';
import { byEventId, checkedKey, checkedService, dedupRedisKey, onceKey } from './keys';

describe('dedup keys', () => {
  test('one key per (service, key) under the prefix', () => {
    expect(dedupRedisKey('troupe:dedup', 'billing', 'e-1')).toBe('troupe:dedup:billing:e-1');
  });

  test('once keys live in their own namespace', () => {
    expect(onceKey('charge:order-7')).toBe('once:charge:order-7');
    expect(onceKey('x')).not.toBe(byEventId({ metadata: { id: 'x' } }));
  });

  test('the default key is the event id', () => {
    expect(byEventId({ metadata: { id: 'abc', type: 't' }, payload: { orderId: 1 } })).toBe('abc');
  });

  test('empty or non-string keys are refused, naming where', () => {
    expect(() => checkedKey('', 'claim(key)')).toThrow(ConfigError);
    expect(() => checkedKey(undefined, 'claim(key)')).toThrow(
      /claim\(key\): expected a non-empty string/,
    );
    expect(checkedKey('k', 'claim(key)')).toBe('k');
  });

  test('service names are plain words', () => {
    expect(checkedService('billing-v2.eu_1')).toBe('billing-v2.eu_1');
    expect(() => checkedService('a:b')).toThrow(/dedup.service/);
    expect(() => checkedService('')).toThrow(ConfigError);
  });
});
