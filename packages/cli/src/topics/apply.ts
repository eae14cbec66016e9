import { TroupeError } from '@troupe/kit';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import type { ClusterState, TopicChange } from './plan';

/** Kafka refused one change; names the topic and says what Kafka said. */
export class TopicChangeError extends TroupeError {
  constructor(topic: string, what: string, detail: string, options?: { cause?: unknown }) {
    super('TOPIC_CHANGE_FAILED', `${topic}: cannot ${what} (${detail})`, options);
  }
}

export interface ApplyOptions {
  /** Per admin request, and for new partitions to get a leader. */
  timeoutMs: number;
  /** Called after each change is made, in order. */
  onApplied(change: TopicChange): void;
}

/**
 * Makes the changes one at a time, in the plan's order, so that on a failure everything before
 * it has been done and said. New topics are only reported once every partition has a leader
 * (a producer right after creation would otherwise fail with "leader not available").
 *
 * kafkajs only speaks the legacy AlterConfigs request, which replaces a topic's whole set of
 * overrides: the current overrides are sent along with the changes so none is reset.
 */
export async function applyChanges(
  admin: Admin,
  changes: TopicChange[],
  cluster: ClusterState,
  options: ApplyOptions,
): Promise<void> {
  const { timeoutMs } = options;
  const overrides = new Map(cluster.topics.map((topic) => [topic.name, topic.overrides]));
  for (const change of changes) {
    switch (change.kind) {
      case 'create': {
        const { topic } = change;
        await attempt(topic.name, 'create it', () =>
          admin.createTopics({
            timeout: timeoutMs,
            waitForLeaders: true,
            topics: [
              {
                topic: topic.name,
                numPartitions: topic.partitions,
                replicationFactor: topic.replicationFactor ?? -1,
                configEntries: Object.entries(topic.config).map(([name, value]) => ({
                  name,
                  value,
                })),
              },
            ],
          }),
        );
        await waitForLeaders(admin, topic.name, topic.partitions, timeoutMs);
        break;
      }
      case 'partitions':
        await attempt(change.topic, `add partitions (${change.from} → ${change.to})`, () =>
          admin.createPartitions({
            timeout: timeoutMs,
            topicPartitions: [{ topic: change.topic, count: change.to }],
          }),
        );
        await waitForLeaders(admin, change.topic, change.to, timeoutMs);
        break;
      case 'config': {
        const merged = { ...overrides.get(change.topic) };
        for (const { name, to } of change.changes) merged[name] = to;
        await attempt(change.topic, 'alter its config', () =>
          admin.alterConfigs({
            validateOnly: false,
            resources: [
              {
                type: ConfigResourceTypes.TOPIC,
                name: change.topic,
                configEntries: Object.entries(merged).map(([name, value]) => ({ name, value })),
              },
            ],
          }),
        );
        break;
      }
      case 'delete':
        await attempt(change.topic, 'delete it', () =>
          admin.deleteTopics({ topics: [change.topic], timeout: timeoutMs }),
        );
        break;
    }
    options.onApplied(change);
  }
}

async function attempt(topic: string, what: string, request: () => Promise<unknown>) {
  try {
    await request();
  } catch (error) {
    throw new TopicChangeError(topic, what, kafkaDetail(error), { cause: error });
  }
}

/** kafkajs aggregates per-topic errors under a generic message; the per-topic ones say why. */
function kafkaDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const nested = (error as Error & { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.length > 0) {
    return nested.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  return error.message;
}

async function waitForLeaders(
  admin: Admin,
  topic: string,
  partitionCount: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions ?? [];
    if (partitions.length >= partitionCount && partitions.every((p) => p.leader >= 0)) return;
    if (Date.now() > deadline)
      throw new TopicChangeError(topic, 'get a leader for every partition', `${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
