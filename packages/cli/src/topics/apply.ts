import { TroupeError } from '@troupe/kit';
import { type KafkaAdmin } from '@troupe/kit/internal';
import type { TopicChange } from './plan';

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
 * (a producer right after creation would otherwise fail with "leader not available"). A config
 * change sets only the configs it names: the port keeps the topic's other overrides.
 */
export async function applyChanges(
  admin: KafkaAdmin,
  changes: TopicChange[],
  options: ApplyOptions,
): Promise<void> {
  const { timeoutMs } = options;
  for (const change of changes) {
    switch (change.kind) {
      case 'create': {
        const { topic } = change;
        await attempt(topic.name, 'create it', timeoutMs, () =>
          admin.createTopics([
            {
              topic: topic.name,
              partitions: topic.partitions,
              // Without one, the broker's default.replication.factor applies.
              ...(topic.replicationFactor === undefined
                ? {}
                : { replicationFactor: topic.replicationFactor }),
              configs: topic.config,
            },
          ]),
        );
        await waitForLeaders(admin, topic.name, topic.partitions, timeoutMs);
        break;
      }
      case 'partitions':
        await attempt(
          change.topic,
          `add partitions (${change.from} → ${change.to})`,
          timeoutMs,
          () => admin.createPartitions(change.topic, change.to),
        );
        await waitForLeaders(admin, change.topic, change.to, timeoutMs);
        break;
      case 'config': {
        const configs = Object.fromEntries(change.changes.map(({ name, to }) => [name, to]));
        await attempt(change.topic, 'alter its config', timeoutMs, () =>
          admin.alterTopicConfigs(change.topic, configs),
        );
        break;
      }
      case 'delete':
        await attempt(change.topic, 'delete it', timeoutMs, () =>
          admin.deleteTopics([change.topic]),
        );
        break;
    }
    options.onApplied(change);
  }
}

/**
 * Runs one admin request, bounded by `timeoutMs` on this side: the port's calls take no timeout
 * of their own (the driver's request timeout applies, which may be longer).
 */
async function attempt(
  topic: string,
  what: string,
  timeoutMs: number,
  request: () => Promise<unknown>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TopicChangeError(topic, what, `no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([
      request().catch((error: unknown) => {
        throw new TopicChangeError(topic, what, kafkaDetail(error), { cause: error });
      }),
      timedOut,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A driver may aggregate per-topic errors under a generic message (kafkajs does); those say why. */
function kafkaDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const nested = (error as Error & { errors?: unknown }).errors;
  if (Array.isArray(nested) && nested.length > 0) {
    return nested.map((e) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  return error.message;
}

async function waitForLeaders(
  admin: KafkaAdmin,
  topic: string,
  partitionCount: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [described] = await admin.describeTopics([topic]);
    const partitions = described?.partitions ?? [];
    if (partitions.length >= partitionCount && partitions.every((p) => p.leader >= 0)) return;
    if (Date.now() > deadline)
      throw new TopicChangeError(topic, 'get a leader for every partition', `${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
