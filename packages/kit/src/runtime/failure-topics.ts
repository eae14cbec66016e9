import type { Admin } from 'kafkajs';
import { TroupeError } from '../errors';
import { failureTopicsFor } from '../retry/retry-topics';
import { sleep, withTimeout } from './timers';

export class TopicMissingError extends TroupeError {
  constructor(readonly topics: string[]) {
    super(
      'TOPIC_MISSING',
      `expected topics ${topics.join(', ')} to exist (the service subscribes to them), found none`,
    );
  }
}

/**
 * Creates the retry and dead-letter topics of every consumed topic that lacks them, with the
 * same partition count as the main topic (so keys spread the same way). Throws TopicMissingError
 * when a consumed topic does not exist: subscribing to a typo would otherwise wait silently.
 */
export async function ensureFailureTopics(
  admin: Admin,
  topics: readonly string[],
  delaysMs: readonly number[],
  timeoutMs = 30_000,
): Promise<string[]> {
  const existing = new Set(await withTimeout(admin.listTopics(), timeoutMs, 'list topics'));
  const missing = topics.filter((t) => !existing.has(t));
  if (missing.length > 0) throw new TopicMissingError(missing);
  const metadata = await withTimeout(
    admin.fetchTopicMetadata({ topics: [...topics] }),
    timeoutMs,
    'fetch topic metadata',
  );
  const toCreate: { topic: string; numPartitions: number }[] = [];
  for (const { name, partitions } of metadata.topics) {
    const { retry, deadLetter } = failureTopicsFor(name, delaysMs);
    for (const topic of [...retry, deadLetter]) {
      if (!existing.has(topic)) toCreate.push({ topic, numPartitions: partitions.length });
    }
  }
  if (toCreate.length > 0) {
    // Another instance may create them at the same moment; createTopics then reports "already exists" as false, not an error.
    await withTimeout(
      admin.createTopics({ topics: toCreate, waitForLeaders: true }),
      timeoutMs,
      'create retry and dead-letter topics',
    );
    // ...and returns at once, before that other instance's topics have leaders: wait for them here,
    // or the retry consumer would subscribe to partitions that cannot be fetched yet.
    await waitForLeaders(
      admin,
      toCreate.map((t) => t.topic),
      timeoutMs,
    );
  }
  return toCreate.map((t) => t.topic);
}

async function waitForLeaders(admin: Admin, topics: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const metadata = await withTimeout(
      admin.fetchTopicMetadata({ topics }),
      timeoutMs,
      'fetch topic metadata',
    ).catch(() => undefined);
    if (
      metadata?.topics.every(
        (t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0),
      )
    )
      return;
    if (Date.now() > deadline)
      throw new TroupeError(
        'TOPIC_NOT_READY',
        `expected leaders for ${topics.join(', ')} within ${timeoutMs}ms, found none`,
      );
    await sleep(100);
  }
}
