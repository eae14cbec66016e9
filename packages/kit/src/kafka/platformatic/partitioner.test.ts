import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { javaCompatiblePartitioner } from './partitioner';

/** Where kafkajs's DefaultPartitioner puts `key` among `count` partitions. */
function kafkajsPartition(key: Buffer, count: number): number {
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
  }));
  const args = { topic: 't', partitionMetadata, message: { key, value: null } };
  return Partitioners.DefaultPartitioner()(args as PartitionerArgs);
}

test('a key lands on the partition kafkajs (and the Java client) would pick', () => {
  const partition = javaCompatiblePartitioner();
  // 'foobar' hashes negative (-790332482): the library's default partitioner would place it elsewhere.
  const keys = [
    'foobar',
    '21',
    'order-1',
    '',
    'é-ünïcode',
    ...Array.from({ length: 500 }, (_, i) => `key-${i}`),
  ];
  for (const count of [1, 3, 8, 12]) {
    for (const text of keys) {
      const key = Buffer.from(text);
      expect([text, count, partition({ topic: 't' }, key) % count]).toEqual([
        text,
        count,
        kafkajsPartition(key, count),
      ]);
    }
  }
});

test('keyless records take turns per topic', () => {
  const partition = javaCompatiblePartitioner();
  const picks = Array.from({ length: 6 }, () => partition({ topic: 'a' }, undefined) % 3);
  expect(picks).toEqual([0, 1, 2, 0, 1, 2]);
  expect(partition({ topic: 'b' }, undefined)).toBe(0);
});
