import { isBrokerAddress } from './broker-address';

test.each([
  'kafka:9092',
  'kafka-1.internal:9092',
  '127.0.0.1:9092',
  '[::1]:9092',
  '[fe80::1]:65535',
  // Docker/Compose names: `_` is allowed (DNS names may carry it; Docker resolves them).
  'troupe_kafka_1:9092',
  'my_kafka:1',
])('%s is a broker address', (text) => {
  expect(isBrokerAddress(text)).toBe(true);
});

test.each([
  'kafka',
  'kafka:',
  ':9092',
  'kafka:0',
  'kafka:65536',
  'kafka:123456',
  'kafka:90a',
  'PLAINTEXT://kafka:9092',
  'kafka 1:9092',
  '::1:9092',
  '[::1]',
  '',
])('%p is not a broker address', (text) => {
  expect(isBrokerAddress(text)).toBe(false);
});
