import { TroupeError } from '../errors';
import { sleep, withTimeout } from '../runtime/timers';
import type { TopicDescription } from './admin';

/**
 * Waits until every partition of `topics` has a leader. A topic just created (by this client or,
 * in a race, by another) answers metadata before its partitions have leaders, and a produce or a
 * fetch then fails with "leader not available". Drivers call this at the end of createTopics.
 */
export async function waitForLeaders(
  describe: (topics: readonly string[]) => Promise<TopicDescription[]>,
  topics: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await withTimeout(describe(topics), timeoutMs, 'describe topics').catch(
      () => undefined,
    );
    if (
      described?.length === topics.length &&
      described.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
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

/**
 * Runs `read` again while it fails because a partition's leadership is still settling, for up
 * to `timeoutMs`; any other error, or the last one at the deadline, is thrown as it came.
 * Right after a topic is created, metadata already names a leader that does not yet answer as
 * one: a ListOffsets to it gets NOT_LEADER_OR_FOLLOWER for a moment. kafkajs's admin asks again
 * only for an unknown topic, so its adapter wraps such reads in this.
 */
export async function retryWhileLeadershipSettles<T>(
  read: () => Promise<T>,
  isLeadershipError: (error: unknown) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!isLeadershipError(error) || Date.now() > deadline) throw error;
    }
    await sleep(Math.min(50 * attempt, 500));
  }
}
