import {
  Admin,
  ConfigResourceTypes,
  ConfigSources,
  IncrementalAlterConfigOperationTypes,
  ListOffsetTimestamps,
  type BaseOptions,
} from '@platformatic/kafka';
import { TimeoutError, sleep } from '../../runtime/timers';
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
import { waitForLeaders } from '../leaders';
import { describeConsumerGroups } from './consumer-groups';
import { hasProtocolError } from './errors';

/** How long deleteTopics waits for the deleted topics to leave the cluster's metadata. */
const DELETE_WAIT_MS = 30_000;

/**
 * The port's admin calls on a @platformatic/kafka Admin. The library connects on the first
 * request and a closed client cannot reopen, so each connect() after a disconnect() makes a new
 * one. Offsets are bigints in the library, decimal strings in the port.
 */
export class PlatformaticAdmin implements KafkaAdmin {
  private current?: Admin;

  constructor(private readonly base: BaseOptions) {}

  private get admin(): Admin {
    this.current ??= new Admin({ ...this.base });
    return this.current;
  }

  async connect(): Promise<void> {
    // A request now, so an unreachable cluster fails connect() as it does with kafkajs.
    await this.admin.metadata({ topics: [], forceUpdate: true });
  }

  async disconnect(): Promise<void> {
    const admin = this.current;
    this.current = undefined;
    await admin?.close();
  }

  listTopics(): Promise<string[]> {
    // Internal topics included, as kafkajs lists them (the CLI hides them unless asked).
    return this.admin.listTopics({ includeInternals: true });
  }

  async createTopics(
    topics: readonly NewTopic[],
    options: { timeoutMs?: number } = {},
  ): Promise<string[]> {
    if (topics.length === 0) return [];
    const timeoutMs = options.timeoutMs ?? 30_000;
    const before = new Set(await this.listTopics());
    const toCreate = topics.filter((t) => !before.has(t.topic));
    if (toCreate.length === 0) return [];
    // The library sends one set of configs for every topic of a call: one call per topic.
    await Promise.all(toCreate.map((t) => this.createTopic(t)));
    const names = toCreate.map((t) => t.topic);
    // Polled without the library's retries: waitForLeaders retries, every 100 ms.
    await waitForLeaders((n) => this.describe(n, 0), names, timeoutMs);
    return names;
  }

  private async createTopic(topic: NewTopic): Promise<void> {
    try {
      await this.admin.createTopics({
        topics: [topic.topic],
        partitions: topic.partitions,
        replicas: topic.replicationFactor,
        configs: Object.entries(topic.configs ?? {}).map(([name, value]) => ({ name, value })),
      });
    } catch (error) {
      // Another client created it at the same moment: that is no error.
      if (!hasProtocolError(error, 'TOPIC_ALREADY_EXISTS')) throw error;
    }
  }

  /** Resolves once the topics are gone from the metadata too, so a create of the same name right after succeeds. */
  async deleteTopics(topics: readonly string[]): Promise<void> {
    if (topics.length === 0) return;
    await this.admin.deleteTopics({ topics: [...topics] });
    const deadline = Date.now() + DELETE_WAIT_MS;
    for (;;) {
      const existing = new Set(await this.listTopics());
      if (!topics.some((t) => existing.has(t))) return;
      if (Date.now() > deadline)
        throw new TimeoutError(`deleting topics ${topics.join(', ')}`, DELETE_WAIT_MS);
      await sleep(100);
    }
  }

  describeTopics(topics: readonly string[]): Promise<TopicDescription[]> {
    return this.describe(topics);
  }

  /** `retries` overrides the library's (3, a second apart), which it also spends on a missing topic. */
  private async describe(topics: readonly string[], retries?: number): Promise<TopicDescription[]> {
    if (topics.length === 0) return [];
    const metadata = await this.admin.metadata({
      topics: [...topics],
      forceUpdate: true,
      ...(retries === undefined ? {} : { retries }),
    });
    const described: TopicDescription[] = [];
    for (const topic of topics) {
      // The library leaves internal topics (__consumer_offsets…) out of its metadata.
      const partitions = metadata.topics.get(topic)?.partitions;
      if (!partitions) continue;
      described.push({
        topic,
        partitions: partitions.map((p, partition) => ({
          partition,
          leader: p.leader,
          replicas: p.replicas,
          isr: p.isr,
        })),
      });
    }
    return described;
  }

  /** Resolves once the new partitions have leaders, as createTopics does for new topics. */
  async createPartitions(topic: string, count: number): Promise<void> {
    await this.admin.createPartitions({ topics: [{ name: topic, count }] });
    // The controller answers before the metadata shows the partitions: until it does, the topic
    // counts as not described.
    const grown = async (names: readonly string[]) =>
      (await this.describe(names, 0)).filter((t) => t.partitions.length >= count);
    await waitForLeaders(grown, [topic], 30_000);
  }

  async topicOffsets(topic: string): Promise<PartitionOffsets[]> {
    const partitions = await this.partitionsOf(topic);
    const [low, high] = await Promise.all([
      this.listOffsets(topic, partitions, ListOffsetTimestamps.EARLIEST),
      this.listOffsets(topic, partitions, ListOffsetTimestamps.LATEST),
    ]);
    return partitions.map((partition) => ({
      partition,
      low: String(low.get(partition)),
      high: String(high.get(partition)),
    }));
  }

  async topicOffsetsAt(
    topic: string,
    timestampMs: number,
  ): Promise<{ partition: number; offset: string }[]> {
    const partitions = await this.partitionsOf(topic);
    const [at, high] = await Promise.all([
      this.listOffsets(topic, partitions, BigInt(timestampMs)),
      this.listOffsets(topic, partitions, ListOffsetTimestamps.LATEST),
    ]);
    // The broker answers -1 when no record is that recent: the port (as kafkajs) says the high watermark.
    return partitions.map((partition) => {
      const offset = at.get(partition) ?? -1n;
      return { partition, offset: String(offset >= 0n ? offset : high.get(partition)) };
    });
  }

  async committedOffsets(groupId: string, topics: readonly string[]): Promise<CommittedOffset[]> {
    if (topics.length === 0) return [];
    // OffsetFetch answers only for the partitions it is asked about: name every one.
    const metadata = await this.admin.metadata({ topics: [...topics] });
    const requested = topics.map((name) => ({
      name,
      partitionIndexes: metadata.topics.get(name)?.partitions.map((_, index) => index) ?? [],
    }));
    const [group] = await this.admin.listConsumerGroupOffsets({
      groups: [{ groupId, topics: requested }],
    });
    return (group?.topics ?? []).flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        // -1 when the group never committed on the partition.
        offset: String(p.committedOffset),
        // Brokers answer "" for no metadata; kafkajs (and so the port) says null.
        metadata: p.metadata || null,
      })),
    );
  }

  async setCommittedOffsets(
    groupId: string,
    offsets: readonly { topic: string; partition: number; offset: string }[],
  ): Promise<void> {
    if (offsets.length === 0) return;
    const byTopic = new Map<string, { partition: number; offset: bigint }[]>();
    for (const { topic, partition, offset } of offsets) {
      let partitions = byTopic.get(topic);
      if (!partitions) byTopic.set(topic, (partitions = []));
      partitions.push({ partition, offset: BigInt(offset) });
    }
    await this.admin.alterConsumerGroupOffsets({
      groupId,
      topics: [...byTopic].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
    });
  }

  async describeGroups(groupIds: readonly string[]): Promise<GroupDescription[]> {
    if (groupIds.length === 0) return [];
    const classic = await this.admin.describeGroups({ groups: [...groupIds] });
    // "Dead" is also what DescribeGroups says of a live KIP-848 consumer group: ask again.
    const dead = groupIds.filter((id) => classic.get(id)?.state === 'Dead');
    const consumer = new Map(
      (dead.length > 0 ? await describeConsumerGroups(this.admin, dead) : []).map((g) => [
        g.groupId,
        g,
      ]),
    );
    // The coordinator answers for an unknown group too (state "Dead"), so every id is there.
    return groupIds.flatMap((id) => {
      const found = consumer.get(id);
      if (found) return [found];
      const group = classic.get(id);
      if (!group) return [];
      return [
        {
          groupId: group.id,
          state: group.state,
          members: [...group.members.values()].map((m) => ({
            memberId: m.id,
            clientId: m.clientId,
            host: m.clientHost,
          })),
        },
      ];
    });
  }

  async deleteGroups(groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0) return;
    await this.admin.deleteGroups({ groups: [...groupIds] });
  }

  async topicConfigs(topic: string): Promise<TopicConfigEntry[]> {
    const [described] = await this.admin.describeConfigs({
      resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic }],
      includeSynonyms: false,
    });
    const entries: TopicConfigEntry[] = [];
    for (const config of described?.configs ?? []) {
      if (typeof config.value !== 'string' || config.isSensitive) continue;
      entries.push({
        name: config.name,
        value: config.value,
        setOnTopic: config.configSource === ConfigSources.DYNAMIC_TOPIC_CONFIG,
      });
    }
    return entries;
  }

  async alterTopicConfigs(topic: string, configs: Readonly<Record<string, string>>): Promise<void> {
    const entries = Object.entries(configs);
    if (entries.length === 0) return;
    // IncrementalAlterConfigs SET changes only the named configs (unlike AlterConfigs, which
    // kafkajs sends and which replaces every override of the topic).
    await this.admin.incrementalAlterConfigs({
      resources: [
        {
          resourceType: ConfigResourceTypes.TOPIC,
          resourceName: topic,
          configs: entries.map(([name, value]) => ({
            name,
            configOperation: IncrementalAlterConfigOperationTypes.SET,
            value,
          })),
        },
      ],
    });
  }

  async describeCluster(): Promise<ClusterDescription> {
    const metadata = await this.admin.metadata({ topics: [], forceUpdate: true });
    return {
      clusterId: metadata.id,
      controller: metadata.controllerId >= 0 ? metadata.controllerId : null,
      brokers: [...metadata.brokers].map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port })),
    };
  }

  private async partitionsOf(topic: string): Promise<number[]> {
    const metadata = await this.admin.metadata({ topics: [topic], forceUpdate: true });
    return metadata.topics.get(topic)?.partitions.map((_, index) => index) ?? [];
  }

  /** Per partition, the offset ListOffsets answers for `timestamp` (or EARLIEST / LATEST). */
  private async listOffsets(
    topic: string,
    partitions: readonly number[],
    timestamp: bigint,
  ): Promise<Map<number, bigint>> {
    const listed = await this.admin.listOffsets({
      topics: [
        {
          name: topic,
          partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })),
        },
      ],
    });
    const offsets = new Map<number, bigint>();
    for (const t of listed) for (const p of t.partitions) offsets.set(p.partitionIndex, p.offset);
    return offsets;
  }
}
