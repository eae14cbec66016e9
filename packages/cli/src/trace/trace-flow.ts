import { deadLetterTopicName, parseRetryTopic } from '@troupe/kit/internal';
import { CliFailure, type CliContext } from '../context';
import { requireTopics, type KafkaSession } from '../kafka/client';
import type { TopicsFile } from '../topics/topics-file';
import { collectFlow } from './collect';
import { buildFlow, type FlowEntry } from './flow';
import type { PayloadDecoder } from './payload';
import { timelineJson, timelineLines } from './timeline';

export interface TraceOptions {
  /**
   * Topics to read; default every topic of topics.json that exists on the cluster. Their retry
   * and dead-letter topics are added unless `failureTopics` is false.
   */
  topics?: string[];
  /** topics.json, read when `topics` is not given. */
  topicsFile?: TopicsFile;
  /**
   * Also read each topic's `<topic>.retry.<n>` and `<topic>.dlq` that exist on the cluster
   * (default true), so a retried or dead-lettered flow shows its copies.
   */
  failureTopics?: boolean;
  sinceMs: number;
  json: boolean;
  decodePayload?: PayloadDecoder;
}

/** `troupe trace`: one flow's events across topics, as a causation tree on a timeline. */
export async function printTrace(
  session: KafkaSession,
  correlationId: string,
  options: TraceOptions,
  context: CliContext,
): Promise<void> {
  const topics = await topicsToRead(session, options, context);
  const events = await collectFlow(session, { correlationId, topics, sinceMs: options.sinceMs });
  const since = new Date(options.sinceMs).toISOString();
  if (events.length === 0) {
    throw new CliFailure(
      `no events with correlation id or event id "${correlationId}" on ${topics.join(', ')} since ${since}`,
    );
  }
  const flow = buildFlow(events);
  const payloads = new Map<FlowEntry, unknown>();
  if (options.decodePayload) {
    const decode = options.decodePayload;
    await Promise.all(flow.map(async (entry) => payloads.set(entry, await decode(entry.event))));
  }
  if (options.json) {
    const payloadOf = options.decodePayload ? (entry: FlowEntry) => payloads.get(entry) : undefined;
    for (const line of timelineJson(flow, payloadOf)) context.out(line);
    return;
  }
  const onTopics = [...new Set(events.map((e) => e.topic))].sort();
  context.out(
    `trace ${correlationId}: ${events.length} event${events.length === 1 ? '' : 's'} on ${onTopics.join(', ')} since ${since}`,
  );
  const payloadLine = options.decodePayload
    ? (entry: FlowEntry) => `payload ${JSON.stringify(payloads.get(entry))}`
    : undefined;
  for (const line of timelineLines(flow, payloadLine)) context.out(line);
}

async function topicsToRead(
  session: KafkaSession,
  options: TraceOptions,
  context: CliContext,
): Promise<string[]> {
  const main = await mainTopics(session, options, context);
  if (options.failureTopics === false) return main;
  return withFailureTopics(main, await session.admin.listTopics());
}

/**
 * The topics and, after each, its retry topics (`<topic>.retry.<n>`, by level) and its
 * dead-letter topic (`<topic>.dlq`) among `existing`; each topic once.
 */
export function withFailureTopics(
  topics: readonly string[],
  existing: readonly string[],
): string[] {
  const out = new Set<string>();
  const present = new Set(existing);
  for (const topic of topics) {
    out.add(topic);
    const retries = existing
      .map((name) => ({ name, parsed: parseRetryTopic(name) }))
      .filter(({ parsed }) => parsed?.topic === topic)
      .sort((a, b) => (a.parsed?.level ?? 0) - (b.parsed?.level ?? 0));
    for (const { name } of retries) out.add(name);
    const deadLetter = deadLetterTopicName(topic);
    if (present.has(deadLetter) && !topic.endsWith('.dlq')) out.add(deadLetter);
  }
  return [...out];
}

async function mainTopics(
  session: KafkaSession,
  options: TraceOptions,
  context: CliContext,
): Promise<string[]> {
  if (options.topics !== undefined || options.topicsFile === undefined) {
    const topics = options.topics ?? [];
    await requireTopics(session, topics);
    return topics;
  }
  const file = options.topicsFile;
  const declared = file.topics.map((topic) => topic.name);
  const existing = new Set(await session.admin.listTopics());
  const present = declared.filter((topic) => existing.has(topic));
  if (present.length === 0) {
    throw new CliFailure(
      `none of the topics in ${file.shownAs} (${declared.join(', ')}) exists on the cluster at ${session.brokers.join(',')}: run troupe topics apply, or pass --topics`,
    );
  }
  const absent = declared.filter((topic) => !existing.has(topic));
  if (absent.length > 0)
    context.err(`note: skipping ${absent.join(', ')} (in ${file.shownAs}, not on the cluster)`);
  return present;
}
