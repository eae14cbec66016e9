import type { Command } from 'commander';
import { DEFAULT_SUBJECT_STRATEGY, parseSubjectStrategy, subjectNamer } from '@troupe/kit/internal';
import { registryClient, type CliContext } from '../context';
import { checkSchemas } from '../schemas/check';
import { loadContracts } from '../schemas/contracts';
import { defaultGeneratedFile, generateContracts } from '../schemas/generate';
import { registerSchemas } from '../schemas/register';
import * as path from 'node:path';

interface RegistryOptions {
  registry?: string;
  subjectStrategy: string;
  timeout: string;
}

/** `troupe schemas register|check|generate`: the Avro contracts in schemas/ and the registry. */
export function registerSchemasCommands(program: Command, context: CliContext): void {
  const schemas = program
    .command('schemas')
    .description('Avro contracts: register, check compatibility, generate types');

  const withRegistry = (command: Command): Command =>
    command
      .option('--registry <url>', 'schema registry URL (default: $TROUPE_SCHEMA_REGISTRY_URL)')
      .option(
        '--subject-strategy <strategy>',
        'topic-record-name | topic-name | record-name',
        DEFAULT_SUBJECT_STRATEGY,
      )
      .option('--timeout <ms>', 'per-request timeout', '10000');

  const connect = (options: RegistryOptions) => ({
    registry: registryClient(options.registry, context, positiveInteger(options.timeout)),
    subjectOf: subjectNamer(parseSubjectStrategy(options.subjectStrategy, '--subject-strategy')),
  });

  withRegistry(
    schemas
      .command('register [dir]')
      .description(
        'register every schema under its subject for each topic carrying it (topics.json)',
      ),
  ).action(async (dir: string | undefined, options: RegistryOptions) => {
    const contracts = await loadContracts(dir, context.cwd);
    const { registry, subjectOf } = connect(options);
    await registerSchemas(contracts, registry, subjectOf, context);
  });

  withRegistry(
    schemas
      .command('check [dir]')
      .description(
        'fail unless every schema is compatible with the latest registered version of its subject',
      ),
  ).action(async (dir: string | undefined, options: RegistryOptions) => {
    const contracts = await loadContracts(dir, context.cwd);
    const { registry, subjectOf } = connect(options);
    await checkSchemas(contracts, registry, subjectOf, context);
  });

  schemas
    .command('generate [dir]')
    .description(
      'generate TypeScript types and the embedded catalog (packages/contracts/src/generated.ts)',
    )
    .option(
      '--out <file>',
      'output file (default: packages/contracts/src/generated.ts beside schemas/)',
    )
    .option('--check', 'fail if the output is stale instead of writing it')
    .action(async (dir: string | undefined, options: { out?: string; check?: boolean }) => {
      const contracts = await loadContracts(dir, context.cwd);
      const outFile = options.out
        ? path.resolve(context.cwd, options.out)
        : defaultGeneratedFile(contracts);
      await generateContracts(contracts, outFile, options.check ?? false, context);
    });
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`--timeout: expected a positive integer of milliseconds, found "${text}"`);
  return value;
}
