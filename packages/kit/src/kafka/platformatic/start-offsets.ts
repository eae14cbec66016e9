import { ListOffsetTimestamps, type Consumer } from '@platformatic/kafka';

export interface TopicPartition {
  topic: string;
  partition: number;
}

/**
 * Where a member starts on partitions newly assigned to it: the group's committed offset, or,
 * where the group has none, the partition's first offset (`fromBeginning`) or its end. Per
 * partition, in the order given; undefined where the cluster gave no answer.
 */
export async function startOffsets(
  consumer: Consumer,
  partitions: readonly TopicPartition[],
  fromBeginning: boolean,
): Promise<(bigint | undefined)[]> {
  const committed = await consumer.listCommittedOffsets({
    topics: [...byTopic(partitions)].map(([topic, ps]) => ({ topic, partitions: ps })),
  });
  const committedOf = ({ topic, partition }: TopicPartition) =>
    committed.get(topic)?.[partition] ?? -1n;
  const fresh = partitions.filter((p) => committedOf(p) < 0n);
  const ends =
    fresh.length === 0
      ? new Map<string, bigint[]>()
      : await consumer.listOffsets({
          topics: [...new Set(fresh.map((p) => p.topic))],
          partitions: Object.fromEntries(byTopic(fresh)),
          timestamp: fromBeginning ? ListOffsetTimestamps.EARLIEST : ListOffsetTimestamps.LATEST,
        });
  return partitions.map((p) => {
    const offset = committedOf(p);
    return offset >= 0n ? offset : ends.get(p.topic)?.[p.partition];
  });
}

function byTopic(partitions: readonly TopicPartition[]): Map<string, number[]> {
  const topics = new Map<string, number[]>();
  for (const { topic, partition } of partitions) {
    let list = topics.get(topic);
    if (!list) topics.set(topic, (list = []));
    list.push(partition);
  }
  return topics;
}
