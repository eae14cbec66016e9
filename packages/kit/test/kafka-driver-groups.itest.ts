import { createTopics, testKafka, uniqueName } from '@troupe/testkit';
import { nextOffset, type Assignment, type GroupConsumer } from '@troupe/kit/internal';

/**
 * KIP-848's consumer-group protocol, on the driver that speaks it (TROUPE_KAFKA_DRIVER=platformatic
 * against Kafka 4): when a member joins, the group moves only the partitions it must, and a
 * partition that stays with its owner is never revoked, not even for a moment; its batch in flight
 * keeps running. (Under the classic protocol kafkajs speaks, every member gives up every
 * partition on each rebalance.)
 */
const speaksKip848 = process.env.TROUPE_KAFKA_DRIVER === 'platformatic';
const describeKip848 = speaksKip848 ? describe : describe.skip;

describeKip848('a consumer group under KIP-848', () => {
  it('moves only the partitions the new member gets; the others keep their batches running', async () => {
    const topic = uniqueName('kip848');
    const groupId = uniqueName('kip848');
    const partitions = 4;
    await createTopics([{ topic, partitions }]);
    const driver = testKafka();
    const producer = driver.producer();
    await producer.send([
      {
        topic,
        records: Array.from({ length: 40 }, (_, i) => ({
          partition: i % partitions,
          value: String(i),
        })),
      },
    ]);
    await producer.disconnect();

    const firstAssignments: Assignment[] = [];
    let secondAssigned: number[] = [];
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const held = new Map<number, () => boolean>();
    let allHeld!: () => void;
    const everyPartitionHeld = new Promise<void>((resolve) => (allHeld = resolve));

    const first = driver.consumer({ groupId });
    const second = driver.consumer({ groupId });
    const consumers: GroupConsumer[] = [first, second];
    try {
      await first.run({
        topics: [topic],
        fromBeginning: true,
        partitionConcurrency: partitions,
        onAssigned: (assignment) => firstAssignments.push(assignment),
        onBatch: async (batch, control) => {
          if (!held.has(batch.partition)) {
            // The first batch of each partition stays in flight until the second member has its share.
            held.set(batch.partition, () => control.isActive());
            if (held.size === partitions) allHeld();
            await released;
          }
          if (!control.isActive()) return;
          const last = batch.records[batch.records.length - 1];
          if (last) await control.commit(nextOffset(last.offset));
        },
      });
      await everyPartitionHeld;

      await second.run({
        topics: [topic],
        fromBeginning: true,
        partitionConcurrency: partitions,
        onAssigned: (assignment) => (secondAssigned = [...(assignment[topic] ?? [])]),
        onBatch: async (batch, control) => {
          const last = batch.records[batch.records.length - 1];
          if (last) await control.commit(nextOffset(last.offset));
        },
      });
      // Both members have heard of the new assignment (each learns it on its own heartbeat).
      const firstHolds = () => firstAssignments[firstAssignments.length - 1]?.[topic]?.length ?? 0;
      const deadline = Date.now() + 60_000;
      while (
        (secondAssigned.length === 0 || firstHolds() + secondAssigned.length !== partitions) &&
        Date.now() < deadline
      )
        await new Promise((resolve) => setTimeout(resolve, 100));

      const kept = [...(firstAssignments[firstAssignments.length - 1]?.[topic] ?? [])].sort();
      const moved = [...secondAssigned].sort();
      expect(moved.length).toBeGreaterThan(0);
      expect(kept.length + moved.length).toBe(partitions);
      expect(kept.filter((p) => moved.includes(p))).toEqual([]);
      // The first member never held nothing, never got a moved partition back, and its batches on
      // the partitions it kept are still active, while those it gave up are not.
      expect(firstAssignments.every((a) => (a[topic]?.length ?? 0) > 0)).toBe(true);
      for (const partition of kept) expect(held.get(partition)!()).toBe(true);
      for (const partition of moved) expect(held.get(partition)!()).toBe(false);
    } finally {
      release();
      await Promise.all(consumers.map((c) => c.stop()));
    }
  }, 120_000);
});
