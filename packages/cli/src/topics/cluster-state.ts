import { ConfigResourceTypes, ConfigSource, type Admin } from 'kafkajs';
import type { ClusterState, ClusterTopic } from './plan';

/**
 * Every topic name on the cluster, and partitions, replication factor and configs of `detailed`
 * (those that exist). Configs come from one DescribeConfigs request for all of them.
 */
export async function readClusterState(admin: Admin, detailed: string[]): Promise<ClusterState> {
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

/** Partitions, replication factor and configs of existing topics, in the order given. */
export async function describeTopics(admin: Admin, topics: string[]): Promise<ClusterTopic[]> {
  if (topics.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics });
  const described = await admin.describeConfigs({
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    includeSynonyms: false,
  });
  const configs = new Map(described.resources.map((r) => [r.resourceName, r.configEntries]));
  const shapes = new Map(metadata.topics.map((t) => [t.name, t.partitions]));
  return topics.map((name) => {
    const partitions = shapes.get(name) ?? [];
    const config: Record<string, string> = {};
    const overrides: Record<string, string> = {};
    for (const entry of configs.get(name) ?? []) {
      if (entry.configValue === null || entry.isSensitive) continue;
      config[entry.configName] = entry.configValue;
      if (isTopicOverride(entry)) overrides[entry.configName] = entry.configValue;
    }
    return {
      name,
      partitions: partitions.length,
      replicationFactor: Math.max(0, ...partitions.map((p) => p.replicas.length)),
      config,
      overrides,
    };
  });
}

/** Set on the topic itself; older brokers report no source, only whether it is a default. */
function isTopicOverride(entry: {
  configSource?: ConfigSource;
  isDefault: boolean;
  readOnly: boolean;
}): boolean {
  if (entry.configSource === undefined || entry.configSource === ConfigSource.UNKNOWN)
    return !entry.isDefault && !entry.readOnly;
  return entry.configSource === ConfigSource.TOPIC_CONFIG;
}
