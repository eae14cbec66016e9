import type { Command } from 'commander';
import { AvroCodec } from '@troupe/kit';
import { DEFAULT_SUBJECT_STRATEGY, parseSubjectStrategy } from '@troupe/kit/internal';
import { CliFailure, registryClient, type CliContext } from '../context';
import { withKafka } from '../kafka/client';
import { publishContracts } from '../publish/contracts-source';
import { routeFor, unknownEventTypeMessage } from '../publish/event-type';
import { readPayloads, type StdinContext } from '../publish/input';
import { prepareEvents, sendEvents } from '../publish/publish-events';

interface PublishFlags {
  json?: string;
  file?: string;
  topic?: string;
  key?: string;
  source: string;
  correlationId?: string;
  output: string;
  schemas?: string;
  brokers?: string;
  registry?: string;
  subjectStrategy?: string;
  register: boolean;
}

export const DEFAULT_SOURCE = 'troupe-cli';

/**
 * `troupe publish <event type>`: one event (`--json`, `--file`) or one per JSON line on stdin,
 * checked against its Avro contract, encoded through the registry and sent by kit's Publisher
 * to the topic topics.json routes the type to.
 */
export function registerPublishCommands(program: Command, context: CliContext): void {
  program
    .command('publish <eventType>')
    .description(
      'publish events of a type as services do (Avro through the registry, CloudEvents headers): ' +
        "the payload from --json '{…}', --file, or one JSON object per line on stdin; " +
        'every payload is checked against the schema before anything is sent',
    )
    .option('--json <payload>', 'the payload, one JSON object shaped like the generated types')
    .option('--file <file.json>', 'read the payload (one JSON object) from a file')
    .option(
      '--topic <topic>',
      'send to this topic (default: the topic topics.json lists the type on)',
    )
    .option(
      '--key <key>',
      "the record key (default: the payload's field topics.json names as the topic's key)",
    )
    .option('--source <source>', 'CloudEvents source (ce_source)', DEFAULT_SOURCE)
    .option('--correlation-id <id>', 'join an existing flow (default: a new flow, the event id)')
    .option('--output <text|json>', 'json: one JSON object per published event', 'text')
    .option(
      '--schemas <dir>',
      'the schemas folder (default: the nearest schemas/ with a topics.json)',
    )
    .option('--brokers <host:port,…>', 'Kafka brokers (default: $TROUPE_KAFKA_BROKERS)')
    .option('--registry <url>', 'schema registry URL (default: $TROUPE_SCHEMA_REGISTRY_URL)')
    .option(
      '--subject-strategy <strategy>',
      `topic-record-name | topic-name | record-name (default: $TROUPE_SUBJECT_STRATEGY, else ${DEFAULT_SUBJECT_STRATEGY})`,
    )
    .option(
      '--no-register',
      'look the schema up in the registry instead of registering it on first use',
    )
    .action(async (eventType: string, flags: PublishFlags) => {
      // Everything that can be wrong without Kafka fails before connecting: nothing is sent.
      if (flags.output !== 'text' && flags.output !== 'json')
        throw new CliFailure(`--output: expected text or json, found "${flags.output}"`);
      if (flags.source.trim() === '') throw new CliFailure('--source: expected a non-empty source');
      if (flags.correlationId !== undefined && flags.correlationId.trim() === '')
        throw new CliFailure('--correlation-id: expected a non-empty id');
      const contracts = await publishContracts(flags.schemas, context.cwd);
      const entry = contracts.catalog.get(eventType);
      if (!entry)
        throw new CliFailure(unknownEventTypeMessage(eventType, contracts.catalog.eventTypes));
      const route = routeFor(eventType, contracts.topics, flags.topic, contracts.topicsShownAs);
      const registry = registryClient(flags.registry, context, 10_000);
      const strategy = parseSubjectStrategy(
        flags.subjectStrategy ?? (context.env.TROUPE_SUBJECT_STRATEGY || DEFAULT_SUBJECT_STRATEGY),
        flags.subjectStrategy === undefined ? 'TROUPE_SUBJECT_STRATEGY' : '--subject-strategy',
      );
      const inputs = await readPayloads(flags, context as StdinContext);
      const events = prepareEvents(entry, route, inputs, flags.key, contracts);
      const codec = new AvroCodec({
        registry,
        catalog: contracts.catalog,
        subjectStrategy: strategy,
        autoRegister: flags.register,
      });
      await withKafka(flags.brokers, context, (session) =>
        sendEvents(
          session,
          events,
          {
            eventType,
            topic: route.topic,
            codec,
            source: flags.source,
            ...optional('correlationId', flags.correlationId),
            json: flags.output === 'json',
          },
          context,
        ),
      );
    });
}

function optional<K extends string>(name: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined || value === '' ? {} : { [name]: value }) as { [P in K]?: string };
}
