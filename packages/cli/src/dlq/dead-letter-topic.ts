import { deadLetterTopicName, parseRetryTopic } from '@troupe/kit/internal';
import { CliFailure } from '../context';

/**
 * Refuses a topic that is not a dead-letter topic, before anything connects: `troupe dlq` on a
 * main topic would list live events as failures and redrive would republish them. Troupe's
 * dead-letter topics are `<topic>.dlq` by definition (the FailureRouter writes nowhere else), so
 * the name decides; the records are not looked at, since an empty dead-letter topic has none
 * and a record there need not carry troupe-dlq-* headers (redrive asks for --to when it lacks
 * the original topic).
 */
export function requireDeadLetterTopic(topic: string, command: string): void {
  if (topic.endsWith('.dlq') && topic !== '.dlq') return;
  const main = parseRetryTopic(topic)?.topic ?? topic;
  throw new CliFailure(
    `${command}: ${topic} is not a dead-letter topic (their names end in .dlq); did you mean ${deadLetterTopicName(main)}?`,
  );
}
