import type { KafkaAdmin } from '../kafka/admin';
import { withTimeout } from './timers';

/**
 * `startFrom: 'latest'`, made exact: before the group joins, each of its topics on which it has
 * never committed any offset (a new group, or a topic newly added to the service) gets every
 * partition's current end offset as the group's committed offset. Returns the partitions it pinned.
 *
 * Why not the driver's own "latest" (auto.offset.reset): it resolves a partition's position only
 * when the partition is first fetched, after the join, so events published between `start()`
 * and that fetch would be skipped, and a partition added to the topic later would start at its
 * end too. Pinned this way, "latest" means "as the topic was when the group first subscribed to
 * it"; the consumer itself reads anything else uncommitted from the beginning. A topic on which
 * the group committed some partitions is never pinned: its uncommitted ones were added later, or
 * kept no event, and what arrived there while the service was down must not be skipped.
 *
 * Offsets can be set only while the group has no active member. When another instance of the
 * service has joined meanwhile (it pinned the offsets itself), the refusal is expected; any
 * partition still uncommitted after it is an error.
 */
export async function pinNewGroupAtEnd(
  admin: KafkaAdmin,
  groupId: string,
  topics: readonly string[],
  timeoutMs = 30_000,
): Promise<{ topic: string; partition: number; offset: string }[]> {
  const committed = () =>
    withTimeout(admin.committedOffsets(groupId, topics), timeoutMs, 'committed offsets');
  const offsets = await committed();
  const everCommitted = new Set(offsets.filter((c) => c.offset !== '-1').map((c) => c.topic));
  const missing = offsets
    .filter((c) => !everCommitted.has(c.topic))
    .map(({ topic, partition }) => ({ topic, partition }));
  if (missing.length === 0) return [];
  const ends = new Map<string, Map<number, string>>();
  for (const topic of new Set(missing.map((m) => m.topic))) {
    const offsets = await withTimeout(admin.topicOffsets(topic), timeoutMs, 'topic offsets');
    ends.set(topic, new Map(offsets.map((o) => [o.partition, o.high])));
  }
  const pins = missing.map(({ topic, partition }) => ({
    topic,
    partition,
    offset: ends.get(topic)?.get(partition) ?? '0',
  }));
  try {
    await withTimeout(admin.setCommittedOffsets(groupId, pins), timeoutMs, 'pin start offsets');
  } catch (error) {
    const pinned = new Set(
      (await committed()).filter((c) => c.offset !== '-1').map((c) => `${c.topic}/${c.partition}`),
    );
    if (pins.some((p) => !pinned.has(`${p.topic}/${p.partition}`))) throw error;
    return [];
  }
  return pins;
}
