import type { KafkaAdmin } from '../kafka/admin';
import { TroupeError } from '../errors';
import { failureTopicsFor } from '../retry/retry-topics';
import { withTimeout } from './timers';

export class TopicMissingError extends TroupeError {
  constructor(readonly topics: string[]) {
    super(
      'TOPIC_MISSING',
      `${topics.length === 1 ? 'topic' : 'topics'} ${topics.join(', ')} ${topics.length === 1 ? 'does' : 'do'} not exist: the service subscribes to ${topics.length === 1 ? 'it' : 'them'}; create ${topics.length === 1 ? 'it' : 'them'} first (npx troupe topics apply creates what schemas/topics.json declares)`,
    );
  }
}

/**
 * Creates the retry and dead-letter topics of every consumed topic that lacks them, with the
 * same partition count as the main topic (so keys spread the same way). Throws TopicMissingError
 * when a consumed topic does not exist: subscribing to a typo would otherwise wait silently.
 */
export async function ensureFailureTopics(
  admin: KafkaAdmin,
  topics: readonly string[],
  delaysMs: readonly number[],
  timeoutMs = 30_000,
): Promise<string[]> {
  const existing = new Set(await withTimeout(admin.listTopics(), timeoutMs, 'list topics'));
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) throw new TopicMissingError(missing);
  const described = await withTimeout(admin.describeTopics(topics), timeoutMs, 'describe topics');
  const toCreate: { topic: string; partitions: number }[] = [];
  for (const { topic: name, partitions } of described) {
    const { retry, deadLetter } = failureTopicsFor(name, delaysMs);
    for (const topic of [...retry, deadLetter]) {
      if (!existing.has(topic)) toCreate.push({ topic, partitions: partitions.length });
    }
  }
  if (toCreate.length > 0) {
    // Another instance may create them at the same moment: createTopics skips those, and waits
    // for their leaders too, or the retry consumer would subscribe to partitions not fetchable yet.
    await withTimeout(
      admin.createTopics(toCreate, { timeoutMs }),
      timeoutMs + 1_000,
      'create retry and dead-letter topics',
    );
  }
  return toCreate.map((t) => t.topic);
}
