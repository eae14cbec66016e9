import { murmur2 } from '../memory/murmur2';

/**
 * Places records without a partition as the Java client and kafkajs's DefaultPartitioner do, so
 * that both drivers put a key on the same partition of a shared topic: a key by
 * `(murmur2(key) & 0x7fffffff) % partitions`, keyless records round-robin per topic.
 *
 * @platformatic/kafka's default partitioner differs: it takes `murmur2(key) >>> 0`, which moves
 * every key whose hash is negative (about half of them) to another partition. Its
 * `compatibilityPartitioner` hashes like Java but sends every keyless record to partition 0.
 * The library reduces the returned number modulo the topic's partition count itself.
 */
export function javaCompatiblePartitioner(): (
  message: { topic: string },
  key: Buffer | undefined,
) => number {
  const counters = new Map<string, number>();
  return ({ topic }, key) => {
    if (Buffer.isBuffer(key)) return murmur2(key) & 0x7fffffff;
    const next = counters.get(topic) ?? 0;
    counters.set(topic, (next + 1) & 0x7fffffff);
    return next;
  };
}
