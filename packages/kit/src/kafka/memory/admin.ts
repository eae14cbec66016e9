import type {
  ClusterDescription,
  CommittedOffset,
  GroupDescription,
  KafkaAdmin,
  NewTopic,
  PartitionOffsets,
  TopicConfigEntry,
  TopicDescription,
} from '../admin';
import { UnknownTopicError } from '../errors';
import { type MemoryCluster, partitionKey } from './cluster';

/** The port's admin calls on a MemoryCluster (one node, id 0, leader of every partition). */
export class MemoryAdmin implements KafkaAdmin {
  constructor(private readonly cluster: MemoryCluster) {}

  connect(): Promise<void> {
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    return Promise.resolve();
  }

  async listTopics(): Promise<string[]> {
    return this.cluster.topicNames();
  }

  async createTopics(topics: readonly NewTopic[]): Promise<string[]> {
    return topics
      .filter((t) => this.cluster.createTopic(t.topic, t.partitions ?? 1, t.configs))
      .map((t) => t.topic);
  }

  async deleteTopics(topics: readonly string[]): Promise<void> {
    for (const topic of topics) this.cluster.deleteTopic(topic);
  }

  async describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    this.requireTopics(topics);
    return topics.map((topic) => ({
      topic,
      partitions: Array.from({ length: this.cluster.partitionCount(topic) }, (_, partition) => ({
        partition,
        leader: 0,
        replicas: [0],
        isr: [0],
      })),
    }));
  }

  async createPartitions(topic: string, count: number): Promise<void> {
    this.requireTopics([topic]);
    this.cluster.addPartitions(topic, count);
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    this.requireTopics([topic]);
    return Array.from({ length: this.cluster.partitionCount(topic) }, (_, partition) => ({
      partition,
      low: '0',
      high: String(this.cluster.highWatermark(topic, partition)),
    }));
  }

  async topicOffsetsAt(
    topic: string,
    timestampMs: number,
  ): Promise<{ partition: number; offset: string }[]> {
    this.requireTopics([topic]);
    return Array.from({ length: this.cluster.partitionCount(topic) }, (_, partition) => {
      const records = this.cluster.read(topic, partition, 0, Number.MAX_SAFE_INTEGER);
      const first = records.find((r) => Number(r.timestamp) >= timestampMs);
      return { partition, offset: first?.offset ?? String(records.length) };
    });
  }

  async committedOffsets(groupId: string, topics: readonly string[]): Promise<CommittedOffset[]> {
    this.requireTopics(topics);
    const committed = this.cluster.group(groupId).committed;
    return topics.flatMap((topic) =>
      Array.from({ length: this.cluster.partitionCount(topic) }, (_, partition) => {
        const commit = committed.get(partitionKey(topic, partition));
        return {
          topic,
          partition,
          offset: commit?.offset ?? '-1',
          metadata: commit?.metadata ?? null,
        };
      }),
    );
  }

  async setCommittedOffsets(
    groupId: string,
    offsets: readonly { topic: string; partition: number; offset: string }[],
  ): Promise<void> {
    const group = this.cluster.group(groupId);
    if (group.members.length > 0)
      throw new Error(`group ${groupId} has active members: stop them before setting its offsets`);
    for (const { topic, partition, offset } of offsets)
      group.committed.set(partitionKey(topic, partition), { offset, metadata: null });
  }

  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    return groupIds.map((groupId) => {
      const members = this.cluster.groupIds().includes(groupId)
        ? this.cluster.group(groupId).members
        : [];
      return {
        groupId,
        state: members.length > 0 ? 'Stable' : 'Empty',
        members: members.map((_, i) => ({
          memberId: `${groupId}-${i}`,
          clientId: 'memory',
          host: 'memory',
        })),
      };
    });
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    for (const groupId of groupIds) this.cluster.deleteGroup(groupId);
  }

  async topicConfigs(topic: string): Promise<TopicConfigEntry[]> {
    this.requireTopics([topic]);
    return Object.entries(this.cluster.topicConfigs(topic)).map(([name, value]) => ({
      name,
      value,
      setOnTopic: true,
    }));
  }

  async alterTopicConfigs(topic: string, configs: Readonly<Record<string, string>>): Promise<void> {
    this.requireTopics([topic]);
    Object.assign(this.cluster.topicConfigs(topic), configs);
  }

  async describeCluster(): Promise<ClusterDescription> {
    return {
      clusterId: 'memory',
      controller: 0,
      brokers: [{ nodeId: 0, host: 'memory', port: 0 }],
    };
  }

  private requireTopics(topics: readonly string[]): void {
    const missing = topics.filter((t) => !this.cluster.hasTopic(t));
    if (missing.length > 0) throw new UnknownTopicError(missing);
  }
}
