import type { Command } from 'commander';
import type { CliContext } from '../context';
import { ASYNCAPI_FORMATS } from '../asyncapi/render';
import { writeAsyncApi, type AsyncApiFlags } from '../asyncapi/write-asyncapi';

/** `troupe asyncapi`: the AsyncAPI 3.0.0 document of the whole system, from its catalog. */
export function registerAsyncApiCommands(program: Command, context: CliContext): void {
  program
    .command('asyncapi')
    .description(
      'the AsyncAPI 3.0.0 document of the system (servers, channels per topic with retry and dead-letter topics, operations per service, Avro messages), from troupe.config.ts; connects to nothing',
    )
    .option('--config <file>', 'the catalog (default: troupe.config.ts in the working directory)')
    .option('--format <format>', ASYNCAPI_FORMATS.join(' | '), 'yaml')
    .option('--out <file>', 'write the document there instead of printing it')
    .option(
      '--brokers <host:port,…>',
      'the server’s brokers (default: $TROUPE_KAFKA_BROKERS, else a {broker} variable)',
    )
    .option(
      '--registry <url>',
      'the schema registry in the server binding (default: $TROUPE_SCHEMA_REGISTRY_URL, else none)',
    )
    .option(
      '--subject-strategy <strategy>',
      'topic-record-name | topic-name | record-name (default: $TROUPE_SUBJECT_STRATEGY, else topic-record-name)',
    )
    .option('--title <title>', 'info.title (default: the name in package.json beside the config)')
    .option(
      '--api-version <version>',
      'info.version (default: the version in package.json beside the config, else 0.0.0)',
    )
    .action((flags: AsyncApiFlags) => writeAsyncApi(flags, context));
}
