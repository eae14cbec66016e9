import type { RawHeaders } from '../../events/headers';
import type { ConsumedRecord } from '../records';

/** One partition's log: offsets start at 0 and are the records' indexes. */
class PartitionLog {
  readonly records: ConsumedRecord[] = [];
}

/** A group's committed position on one partition. */
export interface GroupCommit {
  offset: string;
  metadata: string | null;
}

/** What a group member does when the group rebalances; implemented by MemoryGroupConsumer. */
export interface GroupMember {
  readonly topics: readonly string[];
  /** The group began to rebalance: stop starting records; resolves once in-flight batches are done. */
  revoke(): Promise<void>;
  /** The member's partitions for `generation` (a new assignment replaces the old one whole). */
  assign(partitions: readonly { topic: string; partition: number }[], generation: number): void;
}

/** A consumer group: its members, its generation and its committed offsets. */
export class MemoryGroup {
  readonly committed = new Map<string, GroupCommit>();
  readonly members: GroupMember[] = [];
  generation = 0;
  private rebalancing: Promise<void> = Promise.resolve();

  constructor(private readonly cluster: MemoryCluster) {}

  /** Adds a member and rebalances (every member is revoked, then all are assigned afresh: the eager protocol). */
  join(member: GroupMember): Promise<void> {
    this.members.push(member);
    return this.rebalance();
  }

  leave(member: GroupMember): Promise<void> {
    const index = this.members.indexOf(member);
    if (index < 0) return this.rebalancing;
    this.members.splice(index, 1);
    return this.rebalance();
  }

  /**
   * Revokes every member's partitions (their batches in flight finish and may still commit with the
   * current generation), then assigns each topic's partitions round-robin in join order.
   */
  rebalance(): Promise<void> {
    this.rebalancing = this.rebalancing.then(async () => {
      await Promise.all(this.members.map((m) => m.revoke()));
      this.generation += 1;
      const shares = new Map<GroupMember, { topic: string; partition: number }[]>(
        this.members.map((m) => [m, []]),
      );
      const topics = [...new Set(this.members.flatMap((m) => m.topics))].sort();
      for (const topic of topics) {
        const subscribers = this.members.filter((m) => m.topics.includes(topic));
        const count = this.cluster.partitionCount(topic);
        for (let partition = 0; partition < count; partition++)
          shares.get(subscribers[partition % subscribers.length]!)!.push({ topic, partition });
      }
      for (const [member, partitions] of shares) member.assign(partitions, this.generation);
    });
    return this.rebalancing;
  }
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/**
 * A Kafka cluster in one process, for unit tests: topics with partitions and offsets, consumer
 * groups with generations and commits. It never creates a topic on its own, as a production
 * cluster with `auto.create.topics.enable=false` does not. Not a substitute for a broker where the
 * broker's behaviour is what is tested: no replication, no sessions, no quotas, no network.
 */
export class MemoryCluster {
  private readonly topics = new Map<string, PartitionLog[]>();
  private readonly groups = new Map<string, MemoryGroup>();
  private readonly configs = new Map<string, Record<string, string>>();
  private waiters: (() => void)[] = [];

  createTopic(
    topic: string,
    partitions = 1,
    configs: Readonly<Record<string, string>> = {},
  ): boolean {
    if (this.topics.has(topic)) return false;
    this.topics.set(
      topic,
      Array.from({ length: partitions }, () => new PartitionLog()),
    );
    this.configs.set(topic, { ...configs });
    return true;
  }

  deleteTopic(topic: string): void {
    this.topics.delete(topic);
    this.configs.delete(topic);
  }

  addPartitions(topic: string, count: number): void {
    const logs = this.logsOf(topic);
    while (logs.length < count) logs.push(new PartitionLog());
  }

  topicNames(): string[] {
    return [...this.topics.keys()];
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  partitionCount(topic: string): number {
    return this.topics.get(topic)?.length ?? 0;
  }

  topicConfigs(topic: string): Record<string, string> {
    this.logsOf(topic);
    return this.configs.get(topic)!;
  }

  /** Appends a record; returns its offset. Wakes every consumer waiting for records. */
  append(
    topic: string,
    partition: number,
    record: { key: Buffer | null; value: Buffer | null; headers: RawHeaders },
  ): string {
    const log = this.logOf(topic, partition);
    const offset = String(log.records.length);
    log.records.push({ ...record, offset, timestamp: String(Date.now()) });
    this.notify();
    return offset;
  }

  /** The records of a partition from `from`, up to `max` of them. */
  read(topic: string, partition: number, from: number, max: number): ConsumedRecord[] {
    return this.logOf(topic, partition).records.slice(from, from + max);
  }

  /** The offset after the partition's last record. */
  highWatermark(topic: string, partition: number): number {
    return this.logOf(topic, partition).records.length;
  }

  /** Every record of a topic, partition by partition, in offset order: what a test asserts on. */
  records(topic: string): (ConsumedRecord & { partition: number })[] {
    return this.logsOf(topic).flatMap((log, partition) =>
      log.records.map((record) => ({ ...record, partition })),
    );
  }

  group(groupId: string): MemoryGroup {
    let group = this.groups.get(groupId);
    if (!group) this.groups.set(groupId, (group = new MemoryGroup(this)));
    return group;
  }

  groupIds(): string[] {
    return [...this.groups.keys()];
  }

  deleteGroup(groupId: string): void {
    this.groups.delete(groupId);
  }

  /** The group's committed next offset on a partition, or undefined when it never committed one. */
  committedOffset(groupId: string, topic: string, partition: number): string | undefined {
    return this.groups.get(groupId)?.committed.get(partitionKey(topic, partition))?.offset;
  }

  /** Resolves at the next append, or after `ms` (consumers poll no longer than that). */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(waiter);
      function done() {
        resolve();
      }
    });
  }

  /** Wakes consumers waiting in changed() (an append, a resume, a seek). */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private logsOf(topic: string): PartitionLog[] {
    const logs = this.topics.get(topic);
    if (!logs) throw new Error(`in-memory cluster: no topic ${topic}`);
    return logs;
  }

  private logOf(topic: string, partition: number): PartitionLog {
    const log = this.logsOf(topic)[partition];
    if (!log) throw new Error(`in-memory cluster: topic ${topic} has no partition ${partition}`);
    return log;
  }
}
