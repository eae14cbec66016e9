import type { Command } from 'commander';
import type { CliContext } from '../context';
import type { DeadLetterFilter } from '../dlq/dead-letter-row';
import { requireDeadLetterTopic } from '../dlq/dead-letter-topic';
import { printDeadLetters } from '../dlq/list';
import { redrive, redriveGroup } from '../dlq/redrive';
import { withKafka } from '../kafka/client';
import { positiveInteger } from '../shared/options';

interface FilterFlags {
  brokers?: string;
  filterType?: string;
  filterError?: string;
  limit?: string;
}

/**
 * `troupe dlq list|redrive`: inspect dead-letter topics (`<topic>.dlq`) and republish their
 * records to the topics they came from once the cause is fixed.
 */
export function registerDlqCommands(program: Command, context: CliContext): void {
  const dlq = program
    .command('dlq')
    .description('dead-letter topics: list what failed and why, redrive it');

  const filtered = (command: Command): Command =>
    command
      .option('--brokers <host:port,…>', 'Kafka brokers (default: $TROUPE_KAFKA_BROKERS)')
      .option('--filter-type <type>', 'only records of this event type (ce_type)')
      .option('--filter-error <code>', 'only records with this error code (or error class)');

  const filterOf = (flags: FilterFlags): DeadLetterFilter => ({
    ...(flags.filterType === undefined ? {} : { eventType: flags.filterType }),
    ...(flags.filterError === undefined ? {} : { error: flags.filterError }),
  });

  filtered(
    dlq
      .command('list <topic>')
      .description(
        'the records of a dead-letter topic: offset, key, type, error, service, attempts, last failure',
      ),
  )
    .option('--limit <n>', 'show at most n records', '50')
    .option('--json', 'one JSON object per line')
    .action(async (topic: string, flags: FilterFlags & { json?: boolean }) => {
      requireDeadLetterTopic(topic, 'dlq list');
      const limit = positiveInteger(flags.limit ?? '50', '--limit');
      await withKafka(flags.brokers, context, (session) =>
        printDeadLetters(
          session,
          topic,
          { limit, filter: filterOf(flags), json: flags.json ?? false },
          context,
        ),
      );
    });

  filtered(
    dlq
      .command('redrive <topic>')
      .description(
        'republish dead-lettered records to their original topic (key, value and CloudEvents headers kept, ' +
          'dlq headers dropped, troupe-redriven-from added); progress is committed in consumer group ' +
          `${redriveGroup('<topic>')}, so records are redriven once`,
      ),
  )
    .option('--to <topic>', 'republish to this topic instead of troupe-dlq-original-topic')
    .option('--dry-run', 'say what would be redriven; produce and commit nothing')
    .option('--limit <n>', 'redrive at most n records')
    .option('--from-beginning', 'ignore the committed progress and consider every record again')
    .action(
      async (
        topic: string,
        flags: FilterFlags & { to?: string; dryRun?: boolean; fromBeginning?: boolean },
      ) => {
        requireDeadLetterTopic(topic, 'dlq redrive');
        const limit =
          flags.limit === undefined ? undefined : positiveInteger(flags.limit, '--limit');
        await withKafka(flags.brokers, context, (session) =>
          redrive(
            session,
            topic,
            {
              ...(flags.to === undefined ? {} : { to: flags.to }),
              filter: filterOf(flags),
              dryRun: flags.dryRun ?? false,
              ...(limit === undefined ? {} : { limit }),
              fromBeginning: flags.fromBeginning ?? false,
            },
            context,
          ),
        );
      },
    );
}
