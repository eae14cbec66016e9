import { murmur2, partitionForKey } from './murmur2';

// Values from the Java client's own test (org.apache.kafka.common.utils.UtilsTest.testMurmur2).
test.each([
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
])('murmur2(%s) is %d, as Kafka computes it', (text, hash) => {
  expect(murmur2(Buffer.from(text))).toBe(hash);
});

test('a key always lands on the same partition', () => {
  expect(partitionForKey(Buffer.from('order-1'), 6)).toBe(
    partitionForKey(Buffer.from('order-1'), 6),
  );
  expect(partitionForKey(Buffer.from('foobar'), 1)).toBe(0);
});
