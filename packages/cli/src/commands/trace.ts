import type { Command } from 'commander';
import { registryClient, type CliContext } from '../context';
import { withKafka } from '../kafka/client';
import { loadTopicsFile } from '../topics/topics-file';
import { payloadDecoder } from '../trace/payload';
import { parseSince } from '../trace/since';
import { printTrace } from '../trace/trace-flow';

interface TraceFlags {
  brokers?: string;
  topics?: string;
  file?: string;
  since: string;
  json?: boolean;
  payload?: boolean;
  registry?: string;
  failureTopics: boolean;
}

/** `troupe trace <correlationId>`: follow one flow through the topics, cause by cause. */
export function registerTraceCommands(program: Command, context: CliContext): void {
  program
    .command('trace <correlationId>')
    .description(
      'the events of one flow (ce_correlationid, or ce_id, equal to the id) as a causation tree on a timeline',
    )
    .option('--brokers <host:port,…>', 'Kafka brokers (default: $TROUPE_KAFKA_BROKERS)')
    .option(
      '--topics <a,b,c>',
      'topics to read, with their retry and dead-letter topics (default: every topic in schemas/topics.json)',
    )
    .option('--file <topics.json>', 'the topics file used when --topics is not given')
    .option(
      '--no-failure-topics',
      'read only those topics, not also their <topic>.retry.<n> and <topic>.dlq',
    )
    .option('--since <when>', 'how far back: a duration (30m, 1h, 2d) or an ISO-8601 time', '24h')
    .option('--json', 'one JSON object per event, in timeline order')
    .option('--payload', 'decode payloads (Avro, writer schema from the registry)')
    .option(
      '--registry <url>',
      'schema registry URL for --payload (default: $TROUPE_SCHEMA_REGISTRY_URL)',
    )
    .action(async (correlationId: string, flags: TraceFlags) => {
      // Everything the flags alone can get wrong fails before connecting.
      const sinceMs = parseSince(flags.since, Date.now());
      const topics = flags.topics === undefined ? undefined : topicList(flags.topics);
      const topicsFile =
        topics === undefined
          ? await loadTopicsFile(
              flags.file,
              context.cwd,
              'pass --topics a,b or --file <topics.json>',
            )
          : undefined;
      const decodePayload = flags.payload
        ? await payloadDecoder(registryClient(flags.registry, context, 10_000))
        : undefined;
      await withKafka(flags.brokers, context, (session) =>
        printTrace(
          session,
          correlationId,
          {
            ...(topics === undefined ? {} : { topics }),
            ...(topicsFile === undefined ? {} : { topicsFile }),
            sinceMs,
            failureTopics: flags.failureTopics,
            json: flags.json ?? false,
            ...(decodePayload === undefined ? {} : { decodePayload }),
          },
          context,
        ),
      );
    });
}

function topicList(text: string): string[] {
  const topics = [
    ...new Set(
      text
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== ''),
    ),
  ];
  if (topics.length === 0)
    throw new Error(`--topics: expected a comma-separated list of topics, found "${text}"`);
  return topics;
}
