import { Admin, ConfigResourceTypes, ConfigSource } from 'kafkajs';
import type { KafkajsClient } from './timed-out-connections';
import type {
  ClusterDescription,
  CommittedOffset,
  GroupDescription,
  KafkaAdmin,
  PartitionOffsets,
  TopicConfigEntry,
  TopicDescription,
  NewTopic,
} from '../admin';
import { retryWhileLeadershipSettles, waitForLeaders } from '../leaders';

/** The port's admin calls on a kafkajs admin client. */
export class KafkajsAdmin implements KafkaAdmin {
  private readonly admin: Admin;

  constructor({ kafka, connections }: KafkajsClient) {
    this.admin = kafka.admin();
    connections.watch(this.admin);
  }

  connect(): Promise<void> {
    return this.admin.connect();
  }

  disconnect(): Promise<void> {
    return this.admin.disconnect();
  }

  listTopics(): Promise<string[]> {
    return this.admin.listTopics();
  }

  async createTopics(
    topics: readonly NewTopic[],
    options: { timeoutMs?: number } = {},
  ): Promise<string[]> {
    if (topics.length === 0) return [];
    const timeoutMs = options.timeoutMs ?? 30_000;
    const before = new Set(await this.admin.listTopics());
    const toCreate = topics.filter((t) => !before.has(t.topic));
    if (toCreate.length === 0) return [];
    // Another client may create one of them at the same moment: kafkajs then answers false, not an error.
    await this.admin.createTopics({
      timeout: timeoutMs,
      topics: toCreate.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    // kafkajs waits for leaders only of the topics it created itself, not of those another client did.
    await waitForLeaders(
      (names) => this.describeTopics(names),
      toCreate.map((t) => t.topic),
      timeoutMs,
    );
    return toCreate.map((t) => t.topic);
  }

  deleteTopics(topics: readonly string[]): Promise<void> {
    return this.admin.deleteTopics({ topics: [...topics] });
  }

  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    const metadata = await this.admin.fetchTopicMetadata({ topics: [...topics] });
    return metadata.topics.map((t) => ({
      topic: t.name,
      partitions: t.partitions.map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
      })),
    }));
  }

  createPartitions(topic: string, count: number): Promise<void> {
    return this.admin
      .createPartitions({ topicPartitions: [{ topic, count }] })
      .then(() => undefined);
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const offsets = await this.whileLeadershipSettles(() => this.admin.fetchTopicOffsets(topic));
    return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high }));
  }

  async topicOffsetsAt(
    topic: string,
    timestampMs: number,
  ): Promise<{ partition: number; offset: string }[]> {
    const offsets = await this.whileLeadershipSettles(() =>
      this.admin.fetchTopicOffsetsByTimestamp(topic, timestampMs),
    );
    return offsets.map((o) => ({ partition: o.partition, offset: o.offset }));
  }

  async committedOffsets(groupId: string, topics: readonly string[]): Promise<CommittedOffset[]> {
    const offsets = await this.admin.fetchOffsets({ groupId, topics: [...topics] });
    return offsets.flatMap(({ topic, partitions }) =>
      partitions.map((p) => ({
        topic,
        partition: p.partition,
        offset: p.offset,
        metadata: p.metadata,
      })),
    );
  }

  async setCommittedOffsets(
    groupId: string,
    offsets: readonly { topic: string; partition: number; offset: string }[],
  ): Promise<void> {
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of offsets) {
      let partitions = byTopic.get(topic);
      if (!partitions) byTopic.set(topic, (partitions = []));
      partitions.push({ partition, offset });
    }
    for (const [topic, partitions] of byTopic)
      await this.admin.setOffsets({ groupId, topic, partitions });
  }

  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    const { groups } = await this.admin.describeGroups([...groupIds]);
    return groups.map((g) => ({
      groupId: g.groupId,
      state: g.state,
      members: g.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.clientHost,
      })),
    }));
  }

  deleteGroups(groupIds: readonly string[]): Promise<void> {
    return this.admin.deleteGroups([...groupIds]).then(() => undefined);
  }

  async topicConfigs(topic: string): Promise<TopicConfigEntry[]> {
    const described = await this.admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
      includeSynonyms: false,
    });
    const entries: TopicConfigEntry[] = [];
    for (const entry of described.resources[0]?.configEntries ?? []) {
      if (entry.configValue === null || entry.isSensitive) continue;
      entries.push({
        name: entry.configName,
        value: entry.configValue,
        setOnTopic: isTopicOverride(entry),
      });
    }
    return entries;
  }

  async alterTopicConfigs(topic: string, configs: Readonly<Record<string, string>>): Promise<void> {
    // kafkajs sends AlterConfigs (not incremental), which replaces every override of the topic:
    // send the current overrides with the changes so the others stay as they are.
    const current = await this.topicConfigs(topic);
    const merged: Record<string, string> = {};
    for (const entry of current) if (entry.setOnTopic) merged[entry.name] = entry.value;
    Object.assign(merged, configs);
    await this.admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: Object.entries(merged).map(([name, value]) => ({ name, value })),
        },
      ],
    });
  }

  async describeCluster(): Promise<ClusterDescription> {
    const cluster = await this.admin.describeCluster();
    return {
      clusterId: cluster.clusterId,
      controller: cluster.controller,
      brokers: cluster.brokers.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port })),
    };
  }
  /**
   * A ListOffsets read, asked again while `topic`'s leaders settle. (A leader that moved to
   * another broker is found once kafkajs refreshes its cached metadata, at metadataMaxAge.)
   */
  private whileLeadershipSettles<T>(read: () => Promise<T>): Promise<T> {
    return retryWhileLeadershipSettles(read, isLeadershipError);
  }
}

/** kafkajs's names for "this broker does not lead that partition (yet)". */
const LEADERSHIP_ERRORS = new Set(['NOT_LEADER_FOR_PARTITION', 'LEADER_NOT_AVAILABLE']);

function isLeadershipError(error: unknown): boolean {
  return LEADERSHIP_ERRORS.has(String((error as { type?: unknown } | undefined)?.type));
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
