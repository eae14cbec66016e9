/** A topic to create. Replication defaults to the broker's `default.replication.factor`. */
export interface NewTopic {
  topic: string;
  partitions?: number;
  replicationFactor?: number;
  /** Topic configs, e.g. `{ 'retention.ms': '86400000' }`. */
  configs?: Readonly<Record<string, string>>;
}

export interface PartitionInfo {
  partition: number;
  /** Node id of the leader; -1 while there is none. */
  leader: number;
  replicas: readonly number[];
  isr: readonly number[];
}

export interface TopicDescription {
  topic: string;
  partitions: readonly PartitionInfo[];
}

/** Offsets of one partition: `low` is the earliest record kept, `high` the offset after the last. */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

export interface CommittedOffset {
  topic: string;
  partition: number;
  /** The group's next offset on the partition; "-1" when it never committed one. */
  offset: string;
  metadata: string | null;
}

export interface GroupDescription {
  groupId: string;
  /** Empty, Stable, PreparingRebalance, CompletingRebalance, Dead… as the coordinator reports it. */
  state: string;
  members: readonly { memberId: string; clientId: string; host: string }[];
}

export interface TopicConfigEntry {
  name: string;
  value: string;
  /** Set on the topic itself, as opposed to inherited from the broker or Kafka's default. */
  setOnTopic: boolean;
}

export interface ClusterDescription {
  clusterId: string;
  controller: number | null;
  brokers: readonly { nodeId: number; host: string; port: number }[];
}

/**
 * The cluster operations Troupe's runtime, CLI, registry and tests need. Calls may run
 * concurrently once connected. Errors for missing topics or groups name them; an unreachable
 * cluster rejects within the driver's connection timeout and retries.
 */
export interface KafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  /**
   * Creates those that do not exist and resolves once every partition of every named topic has a
   * leader (so a produce or fetch right after succeeds), with the names that were missing when it
   * looked (another client may create one of them at the same moment: that is no error).
   */
  createTopics(topics: readonly NewTopic[], options?: { timeoutMs?: number }): Promise<string[]>;
  deleteTopics(topics: readonly string[]): Promise<void>;
  describeTopics(topics: readonly string[]): Promise<TopicDescription[]>;
  /** Grows the topic to `count` partitions. */
  createPartitions(topic: string, count: number): Promise<void>;
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Per partition, the first offset whose timestamp is at or after `timestampMs` (the high watermark when none is). */
  topicOffsetsAt(
    topic: string,
    timestampMs: number,
  ): Promise<{ partition: number; offset: string }[]>;
  /** The group's committed offsets on every partition of `topics`. */
  committedOffsets(groupId: string, topics: readonly string[]): Promise<CommittedOffset[]>;
  /** Sets the group's committed offsets; the group must have no active member. */
  setCommittedOffsets(
    groupId: string,
    offsets: readonly { topic: string; partition: number; offset: string }[],
  ): Promise<void>;
  describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]>;
  deleteGroups(groupIds: readonly string[]): Promise<void>;
  /** The topic's effective configs, sensitive ones left out. */
  topicConfigs(topic: string): Promise<TopicConfigEntry[]>;
  /** Sets the given configs on the topic, leaving the others as they are. */
  alterTopicConfigs(topic: string, configs: Readonly<Record<string, string>>): Promise<void>;
  describeCluster(): Promise<ClusterDescription>;
}
