import type { Command } from 'commander';
import type { CliContext } from '../context';
import { withKafka } from '../kafka/client';
import { positiveInteger } from '../shared/options';
import { printTopicList } from '../topics/list';
import { applyPlan, printPlan, type ReconcileOptions } from '../topics/reconcile';
import { loadTopicsFile } from '../topics/topics-file';

interface ReconcileFlags {
  brokers?: string;
  withDeadLetter?: boolean;
  prune?: boolean;
  prefix?: string;
  timeout: string;
}

/**
 * `troupe topics plan|apply|list`: topics as code. schemas/topics.json declares the topics;
 * plan shows the difference with the cluster, apply makes it (create, add partitions, alter
 * configs; delete only with --prune), list shows what the cluster has.
 */
export function registerTopicsCommands(program: Command, context: CliContext): void {
  const topics = program
    .command('topics')
    .description('topics as code: schemas/topics.json against the cluster');

  const reconciling = (command: Command): Command =>
    command
      .option('--brokers <host:port,…>', 'Kafka brokers (default: $TROUPE_KAFKA_BROKERS)')
      .option(
        '--with-dead-letter',
        "also manage each topic's <topic>.dlq (same partitions, broker default configs)",
      )
      .option(
        '--prune',
        'delete cluster topics the file does not declare (never internal topics, nor the retry and dead-letter topics of declared ones)',
      )
      .option('--prefix <prefix>', 'only consider topics whose names start with <prefix>')
      .option('--timeout <ms>', 'per admin request', '30000');

  const reconcileOptions = (flags: ReconcileFlags): ReconcileOptions => ({
    withDeadLetter: flags.withDeadLetter ?? false,
    prune: flags.prune ?? false,
    ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }),
    timeoutMs: positiveInteger(flags.timeout, '--timeout'),
  });

  reconciling(
    topics
      .command('plan [file]')
      .description(
        'show what apply would change: topics to create, partitions to add, configs to alter',
      ),
  ).action(async (file: string | undefined, flags: ReconcileFlags) => {
    const options = reconcileOptions(flags);
    const topicsFile = await loadTopicsFile(file, context.cwd);
    await withKafka(flags.brokers, context, (session) =>
      printPlan(session, topicsFile, options, context),
    );
  });

  reconciling(
    topics
      .command('apply [file]')
      .description(
        'create missing topics, add partitions, alter configs (idempotent; never decreases partitions)',
      ),
  ).action(async (file: string | undefined, flags: ReconcileFlags) => {
    const options = reconcileOptions(flags);
    const topicsFile = await loadTopicsFile(file, context.cwd);
    await withKafka(flags.brokers, context, (session) =>
      applyPlan(session, topicsFile, options, context),
    );
  });

  topics
    .command('list')
    .description('the topics on the cluster, with partitions, replicas and config overrides')
    .option('--brokers <host:port,…>', 'Kafka brokers (default: $TROUPE_KAFKA_BROKERS)')
    .option('--prefix <prefix>', 'only topics whose names start with <prefix>')
    .option('--all', 'include internal topics (__consumer_offsets, _schemas, …)')
    .option('--json', 'one JSON object per line')
    .action(async (flags: { brokers?: string; prefix?: string; all?: boolean; json?: boolean }) => {
      await withKafka(flags.brokers, context, (session) =>
        printTopicList(
          session,
          {
            all: flags.all ?? false,
            json: flags.json ?? false,
            ...(flags.prefix === undefined ? {} : { prefix: flags.prefix }),
          },
          context,
        ),
      );
    });
}
