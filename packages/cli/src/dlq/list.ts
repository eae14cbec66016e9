import type { CliContext } from '../context';
import { requireTopics, type KafkaSession } from '../kafka/client';
import { readRanges } from '../kafka/read-range';
import { throwawayGroup } from '../kafka/throwaway-group';
import { formatTable } from '../shared/table';
import {
  DEAD_LETTER_COLUMNS,
  deadLetterCells,
  deadLetterRow,
  isFiltered,
  matchesFilter,
  type DeadLetterFilter,
  type DeadLetterRow,
} from './dead-letter-row';
import { decodeProgress } from './redrive-progress';
import { redriveGroup } from './redrive';

export interface DeadLetterListOptions {
  limit: number;
  filter: DeadLetterFilter;
  json: boolean;
}

/**
 * `troupe dlq list`: the first `limit` records (matching the filters) of a dead-letter topic,
 * read up to the high watermark at start, in the order they were dead-lettered, with whether
 * `troupe dlq redrive` has already republished each.
 */
export async function printDeadLetters(
  session: KafkaSession,
  topic: string,
  options: DeadLetterListOptions,
  context: CliContext,
): Promise<void> {
  await requireTopics(session, [topic]);
  const offsets = await session.admin.topicOffsets(topic);
  const total = offsets.reduce((sum, o) => sum + (BigInt(o.high) - BigInt(o.low)), 0n);
  const isRedriven = await redriveStatus(session, topic);
  const rows: (DeadLetterRow & { redriven: boolean; timestamp: string })[] = [];
  await readRanges({
    kafka: session.kafka,
    topic,
    groupId: throwawayGroup('dlq-list'),
    ranges: offsets.map((o) => ({
      partition: o.partition,
      start: BigInt(o.low),
      end: BigInt(o.high),
    })),
    onBatch: async ({ partition, messages }) => {
      for (const message of messages) {
        const row = deadLetterRow({ partition, ...message });
        if (!matchesFilter(row, options.filter)) continue;
        if (rows.length >= options.limit) return false;
        rows.push({
          ...row,
          redriven: isRedriven(partition, BigInt(message.offset)),
          timestamp: message.timestamp,
        });
      }
      return true;
    },
  });
  rows.sort((a, b) => Number(a.timestamp) - Number(b.timestamp) || a.partition - b.partition);
  if (options.json) {
    for (const { timestamp: _timestamp, ...row } of rows) context.out(JSON.stringify(row));
    return;
  }
  if (rows.length > 0) {
    const table = formatTable(
      [...DEAD_LETTER_COLUMNS, 'REDRIVEN'],
      rows.map((row) => [...deadLetterCells(row), row.redriven ? 'yes' : '']),
    );
    for (const line of table) context.out(line);
  }
  const matching = isFiltered(options.filter) ? ' matching the filters' : '';
  const more = rows.length >= options.limit ? ' (raise --limit to see more)' : '';
  context.out(
    `${rows.length} record${rows.length === 1 ? '' : 's'}${matching} shown of ${total} in ${topic}${more}`,
  );
}

/** Whether the redrive group's committed progress covers a record. */
async function redriveStatus(
  session: KafkaSession,
  topic: string,
): Promise<(partition: number, offset: bigint) => boolean> {
  const committed = await session.admin.committedOffsets(redriveGroup(topic), [topic]);
  const byPartition = new Map(
    committed.map((c) => [
      c.partition,
      {
        offset: BigInt(c.offset),
        listed: new Set(decodeProgress(c.metadata, BigInt(c.offset))),
      },
    ]),
  );
  return (partition, offset) => {
    const saved = byPartition.get(partition);
    return saved !== undefined && (offset < saved.offset || saved.listed.has(offset));
  };
}
