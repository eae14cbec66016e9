import { deadLetterTopicName, parseRetryTopic, type TopicSpec } from '@troupe/kit/internal';
import { isInternalTopic } from '../kafka/client';

/** A topic as topics.json wants it. */
export interface DesiredTopic {
  name: string;
  partitions: number;
  /** Left to the broker's default when absent. */
  replicationFactor?: number;
  config: Record<string, string>;
  /**
   * Set on a dead-letter topic added by --with-dead-letter: it follows its main topic's
   * partition count upwards, and more partitions on the cluster are not a problem.
   */
  deadLetterOf?: string;
}

/** What the cluster has: every topic's name, and the details of the topics topics.json declares. */
export interface ClusterState {
  names: string[];
  /** The declared topics that exist (the others need no describing). */
  topics: ClusterTopic[];
}

/** A topic as the cluster has it. */
export interface ClusterTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  /**
   * The fewest in-sync replicas of any partition: below the replication factor while a broker is
   * down or catching up, and below min.insync.replicas while acks=all writes are refused.
   */
  inSyncReplicas: number;
  /** The current value of every config the broker reports, defaults included. */
  config: Record<string, string>;
  /** The configs set on the topic itself (not inherited from broker defaults). */
  overrides: Record<string, string>;
}

export interface ConfigChange {
  name: string;
  /** Undefined when the broker reports no such config. */
  from?: string;
  to: string;
}

export type TopicChange =
  | { kind: 'create'; topic: DesiredTopic }
  | { kind: 'partitions'; topic: string; from: number; to: number }
  | { kind: 'config'; topic: string; changes: ConfigChange[] }
  | { kind: 'delete'; topic: string };

/** Something topics.json asks for that cannot be done: apply refuses to start. */
export interface TopicProblem {
  topic: string;
  message: string;
}

export interface TopicPlan {
  changes: TopicChange[];
  problems: TopicProblem[];
  /** Declared topics that already match. */
  unchanged: string[];
  /** Cluster topics topics.json does not declare (deleted only with prune). */
  undeclared: string[];
}

export interface PlanOptions {
  /** Delete undeclared topics. */
  prune: boolean;
  /** Only consider topics (declared and on the cluster) whose names start with this. */
  prefix?: string;
}

/**
 * The topics topics.json declares, plus with `withDeadLetter` each one's `<topic>.dlq` with the
 * same partition count and replication factor and the broker's default configs (the topic a
 * service's dead-letter middleware writes to; the runtime would otherwise create it on first
 * start with the same partition count). A dead-letter topic declared explicitly wins, and
 * declared dead-letter and retry topics get none of their own.
 */
export function desiredTopics(specs: TopicSpec[], withDeadLetter: boolean): DesiredTopic[] {
  const declared: DesiredTopic[] = specs.map((spec) => ({
    name: spec.name,
    partitions: spec.partitions,
    ...(spec.replicationFactor === undefined ? {} : { replicationFactor: spec.replicationFactor }),
    config: { ...spec.config },
  }));
  if (!withDeadLetter) return declared;
  const names = new Set(declared.map((topic) => topic.name));
  const deadLetters = declared
    .filter((topic) => !isFailureTopic(topic.name))
    .filter((topic) => !names.has(deadLetterTopicName(topic.name)))
    .map((topic) => ({
      name: deadLetterTopicName(topic.name),
      partitions: topic.partitions,
      ...(topic.replicationFactor === undefined
        ? {}
        : { replicationFactor: topic.replicationFactor }),
      config: {},
      deadLetterOf: topic.name,
    }));
  return [...declared, ...deadLetters];
}

/**
 * The difference between the declared topics and the cluster, as changes in the order apply
 * makes them (create, add partitions, alter configs, delete). Only configs topics.json names
 * are compared: a config set on the cluster but absent from the file is left alone. Partitions
 * are never decreased and replication factors never changed (Kafka cannot do the one, and the
 * other needs a partition reassignment): both are problems, not changes.
 */
export function planTopics(
  desired: DesiredTopic[],
  cluster: ClusterState,
  options: PlanOptions,
): TopicPlan {
  const inScope = (name: string) => options.prefix === undefined || name.startsWith(options.prefix);
  const wanted = desired.filter((topic) => inScope(topic.name));
  const existing = new Map(cluster.topics.map((topic) => [topic.name, topic]));
  const plan: TopicPlan = { changes: [], problems: [], unchanged: [], undeclared: [] };
  const partitions: TopicChange[] = [];
  const configs: TopicChange[] = [];

  for (const topic of wanted) {
    const current = existing.get(topic.name);
    if (!current) {
      plan.changes.push({ kind: 'create', topic });
      continue;
    }
    let changed = false;
    const problemsBefore = plan.problems.length;
    if (current.partitions < topic.partitions) {
      partitions.push({
        kind: 'partitions',
        topic: topic.name,
        from: current.partitions,
        to: topic.partitions,
      });
      changed = true;
    } else if (current.partitions > topic.partitions && topic.deadLetterOf === undefined) {
      plan.problems.push({
        topic: topic.name,
        message: `partitions cannot be decreased (the cluster has ${current.partitions}, topics.json asks for ${topic.partitions})`,
      });
    }
    if (
      topic.replicationFactor !== undefined &&
      topic.replicationFactor !== current.replicationFactor
    ) {
      plan.problems.push({
        topic: topic.name,
        message: `replication factor cannot be changed by troupe (the cluster has ${current.replicationFactor}, topics.json asks for ${topic.replicationFactor}); reassign partitions with Kafka's tools`,
      });
    }
    const changes = configChanges(topic.config, current.config);
    if (changes.length > 0) {
      configs.push({ kind: 'config', topic: topic.name, changes });
      changed = true;
    }
    if (!changed && plan.problems.length === problemsBefore) plan.unchanged.push(topic.name);
  }
  plan.changes.push(...partitions, ...configs);

  const managed = new Set(wanted.map((topic) => topic.name));
  const declaredNames = new Set(desired.map((topic) => topic.name));
  for (const name of cluster.names) {
    if (managed.has(name) || !inScope(name) || isInternalTopic(name)) continue;
    if (isFailureTopicOf(name, declaredNames)) continue;
    plan.undeclared.push(name);
  }
  plan.undeclared.sort();
  if (options.prune)
    plan.changes.push(...plan.undeclared.map((topic) => ({ kind: 'delete' as const, topic })));
  return plan;
}

/** Declared configs whose value differs from the cluster's, in the file's order. */
export function configChanges(
  wanted: Record<string, string>,
  current: Record<string, string>,
): ConfigChange[] {
  return Object.entries(wanted)
    .filter(([name, value]) => !sameConfigValue(current[name], value))
    .map(([name, to]) => {
      const from = current[name];
      return from === undefined ? { name, to } : { name, from, to };
    });
}

/** Compares as Kafka means them: list values (`compact,delete`) regardless of order and spaces. */
function sameConfigValue(current: string | undefined, wanted: string): boolean {
  if (current === undefined) return false;
  const normal = (value: string) =>
    value
      .split(',')
      .map((item) => item.trim())
      .sort()
      .join(',');
  return normal(current) === normal(wanted);
}

function isFailureTopic(name: string): boolean {
  return name.endsWith('.dlq') || parseRetryTopic(name) !== undefined;
}

/**
 * `<topic>.dlq` and `<topic>.retry.<n>` of a declared topic: the runtime creates them, so they
 * are never reported as undeclared nor pruned.
 */
function isFailureTopicOf(name: string, declared: Set<string>): boolean {
  if (name.endsWith('.dlq') && declared.has(name.slice(0, -'.dlq'.length))) return true;
  const retry = parseRetryTopic(name);
  return retry !== undefined && declared.has(retry.topic);
}
