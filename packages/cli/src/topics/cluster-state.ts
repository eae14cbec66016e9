import type { KafkaAdmin } from '@troupe/kit/internal';
import type { ClusterState, ClusterTopic } from './plan';

/**
 * Every topic name on the cluster, and partitions, replicas, in-sync replicas and configs of `detailed`
 * (those that exist).
 */
export async function readClusterState(
  admin: KafkaAdmin,
  detailed: string[],
): Promise<ClusterState> {
  const names = (await admin.listTopics()).sort();
  const existing = new Set(names);
  return {
    names,
    topics: await describeTopics(
      admin,
      [...new Set(detailed)].filter((n) => existing.has(n)),
    ),
  };
}

/**
 * Partitions, replication factor and configs of existing topics, in the order given. The port
 * describes one topic's configs per call; the calls run together.
 */
export async function describeTopics(admin: KafkaAdmin, topics: string[]): Promise<ClusterTopic[]> {
  if (topics.length === 0) return [];
  const [described, configs] = await Promise.all([
    admin.describeTopics(topics),
    Promise.all(topics.map((topic) => admin.topicConfigs(topic))),
  ]);
  const shapes = new Map(described.map((t) => [t.topic, t.partitions]));
  return topics.map((name, i) => {
    const partitions = shapes.get(name) ?? [];
    const config: Record<string, string> = {};
    const overrides: Record<string, string> = {};
    for (const entry of configs[i] ?? []) {
      config[entry.name] = entry.value;
      if (entry.setOnTopic) overrides[entry.name] = entry.value;
    }
    return {
      name,
      partitions: partitions.length,
      replicationFactor: Math.max(0, ...partitions.map((p) => p.replicas.length)),
      inSyncReplicas:
        partitions.length === 0 ? 0 : Math.min(...partitions.map((p) => p.isr.length)),
      config,
      overrides,
    };
  });
}
