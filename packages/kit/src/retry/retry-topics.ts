import type { FailureKind } from './classify';

/**
 * Non-blocking retries (as in Spring Kafka): a failed event is re-published to
 * `<topic>.retry.<n>` and handled again once `delaysMs[n-1]` has passed, while `<topic>` keeps
 * flowing. After the last retry topic, or at once for a permanent error, it goes to `<topic>.dlq`.
 *
 * Limits: order per key is not kept across retries (a retried event is overtaken by later events
 * with the same key), and a retry topic is shared by every service consuming `<topic>`: each
 * service only handles the records addressed to it (troupe-retry-service header).
 */
export function retryTopicName(topic: string, level: number): string {
  return `${topic}.retry.${level}`;
}

export function deadLetterTopicName(topic: string): string {
  return `${topic}.dlq`;
}

const RETRY_TOPIC = /^(.+)\.retry\.(\d+)$/;

/** The main topic and level of a retry topic name, or undefined for any other topic. */
export function parseRetryTopic(name: string): { topic: string; level: number } | undefined {
  const match = RETRY_TOPIC.exec(name);
  if (!match) return undefined;
  const level = Number(match[2]);
  return level >= 1 ? { topic: match[1]!, level } : undefined;
}

/** Every retry topic (in order) and the dead-letter topic for a main topic. */
export function failureTopicsFor(
  topic: string,
  delaysMs: readonly number[],
): { retry: string[]; deadLetter: string } {
  return {
    retry: delaysMs.map((_, i) => retryTopicName(topic, i + 1)),
    deadLetter: deadLetterTopicName(topic),
  };
}

export type Destination =
  | { kind: 'retry'; topic: string; level: number; dueAt: Date }
  | { kind: 'dead-letter'; topic: string };

/**
 * Where an event that failed at `level` (0 = main topic, n = `<topic>.retry.<n>`) goes next.
 * Permanent failures skip the remaining retry topics.
 */
export function nextDestination(args: {
  topic: string;
  level: number;
  kind: Exclude<FailureKind, 'deferred'>;
  delaysMs: readonly number[];
  now: Date;
}): Destination {
  const nextLevel = args.level + 1;
  const delay = args.delaysMs[nextLevel - 1];
  if (args.kind === 'permanent' || delay === undefined) {
    return { kind: 'dead-letter', topic: deadLetterTopicName(args.topic) };
  }
  return {
    kind: 'retry',
    topic: retryTopicName(args.topic, nextLevel),
    level: nextLevel,
    dueAt: new Date(args.now.getTime() + delay),
  };
}

/** How long a retry record must still wait, 0 when due (or when it carries no due time). */
export function msUntilDue(dueAt: Date | undefined, now: number): number {
  if (!dueAt || Number.isNaN(dueAt.getTime())) return 0;
  return Math.max(0, dueAt.getTime() - now);
}
