import { DeadLetterHeaders } from '@troupe/kit';
import { type OutgoingRecord, type RecordProducer, sendTraced } from '@troupe/kit/internal';
import { CliFailure, type CliContext } from '../context';
import { requireTopics, type KafkaSession } from '../kafka/client';
import type { OffsetRange } from '../kafka/read-range';
import { readRanges } from '../kafka/read-range';
import { deadLetterRow, isFiltered, matchesFilter, type DeadLetterFilter } from './dead-letter-row';
import { PartitionProgress, decodeProgress } from './redrive-progress';
import { redriveDestination, redrivenMessage } from './redrive-headers';
import { throwawayGroup } from '../kafka/throwaway-group';

export interface RedriveOptions {
  /** Republish here instead of each record's troupe-dlq-original-topic. */
  to?: string;
  filter: DeadLetterFilter;
  dryRun: boolean;
  /** Redrive at most this many records. */
  limit?: number;
  /** Ignore the committed progress: consider every record in the topic again. */
  fromBeginning: boolean;
}

/** The consumer group holding a dead-letter topic's redrive progress. */
export function redriveGroup(deadLetterTopic: string): string {
  return `troupe-dlq-redrive-${deadLetterTopic}`;
}

interface Counts {
  redriven: number;
  filteredOut: number;
  redrivenBefore: number;
  destinations: Set<string>;
}

/**
 * `troupe dlq redrive`: republishes dead-lettered records to their original topic (or --to),
 * from the committed progress up to the high watermark at start, through an idempotent
 * producer keyed by the original key (so a key lands where live events with that key go).
 * Progress is committed per batch, after its records were acknowledged (see redrive-progress).
 * With an OpenTelemetry SDK registered (`node --import` of one), each redriven record is sent in a
 * PRODUCER span `send <topic>`, a child of the active span if any, else of the dead-lettered
 * record's context, and linked to that context; the record carries the span's as its traceparent.
 */
export async function redrive(
  session: KafkaSession,
  deadLetterTopic: string,
  options: RedriveOptions,
  context: CliContext,
): Promise<void> {
  await requireTopics(session, [deadLetterTopic, ...(options.to ? [options.to] : [])]);
  const known = new Set(await session.admin.listTopics());
  const group = redriveGroup(deadLetterTopic);
  const { ranges, progress } = await startingPoint(session, deadLetterTopic, group, options);
  const pending = ranges.some((r) => r.start < r.end);
  if (!pending) {
    const empty = ranges.every((r) => r.end === 0n);
    context.out(
      empty
        ? `nothing to redrive: ${deadLetterTopic} is empty`
        : `nothing to redrive: every record in ${deadLetterTopic} was redriven before (progress in consumer group ${group}; --from-beginning to redrive again)`,
    );
    return;
  }

  const counts: Counts = {
    redriven: 0,
    filteredOut: 0,
    redrivenBefore: 0,
    destinations: new Set(),
  };
  let failure: CliFailure | undefined;
  let producer: RecordProducer | undefined;
  if (!options.dryRun) {
    // Idempotent, acks=all, never creating a topic, murmur2 by key: the port's only kind.
    producer = session.kafka.producer();
    await producer.connect();
  }
  try {
    await readRanges({
      kafka: session.kafka,
      topic: deadLetterTopic,
      ranges,
      // A dry run must not disturb (or be refused by) a real redrive holding the group.
      groupId: options.dryRun ? throwawayGroup('dlq-redrive-dry-run') : group,
      onBatch: async ({ partition, messages, next, commit }) => {
        const state = progress.get(partition) as PartitionProgress;
        const outgoing = new Map<string, OutgoingRecord[]>();
        const lines: string[] = [];
        let readUpTo = next;
        let stop = false;
        for (const message of messages) {
          const offset = BigInt(message.offset);
          if (state.wasRedriven(offset)) {
            counts.redrivenBefore++;
            continue;
          }
          const record = {
            partition,
            offset: message.offset,
            key: message.key,
            headers: message.headers,
          };
          const row = deadLetterRow(record);
          if (!matchesFilter(row, options.filter)) {
            counts.filteredOut++;
            state.markLeft(offset);
            continue;
          }
          const at = `${deadLetterTopic} ${partition}:${message.offset}`;
          const destination = redriveDestination(message.headers, options.to);
          const refusal =
            options.limit !== undefined && counts.redriven >= options.limit
              ? 'limit reached'
              : refusalOf(at, destination, known, state.fits(offset));
          if (refusal !== undefined) {
            if (refusal instanceof CliFailure) failure = refusal;
            readUpTo = offset;
            stop = true;
            break;
          }
          const target = destination as string;
          const batch = outgoing.get(target) ?? [];
          batch.push(
            redrivenMessage(message, { topic: deadLetterTopic, partition, offset: message.offset }),
          );
          outgoing.set(target, batch);
          state.markRedriven(offset);
          counts.redriven++;
          counts.destinations.add(target);
          lines.push(
            `${options.dryRun ? 'would redrive' : 'redriven'} ${at} → ${target} (key ${row.key ?? '-'}, ${row.eventType ?? 'no ce_type'})`,
          );
        }
        if (producer) {
          if (outgoing.size > 0) {
            const sender = producer;
            await sendTraced(
              [...outgoing].map(([topic, records]) => ({ topic, records })),
              (batch) => sender.send(batch),
              { parent: 'active-else-record', link: true },
            );
          }
          const { offset, metadata } = state.commitAt(readUpTo);
          await commit(offset, metadata);
        }
        for (const line of lines) context.out(line);
        return !stop;
      },
    });
  } finally {
    await producer?.disconnect().catch(() => undefined);
  }
  context.out(summary(deadLetterTopic, group, counts, options));
  if (failure) throw failure;
}

/** Why a record that passed the filters cannot be redriven, if it cannot. */
function refusalOf(
  at: string,
  destination: string | undefined,
  knownTopics: Set<string>,
  progressFits: boolean,
): CliFailure | undefined {
  if (destination === undefined)
    return new CliFailure(
      `${at} has no ${DeadLetterHeaders.originalTopic} header: pass --to <topic>`,
    );
  if (!knownTopics.has(destination))
    return new CliFailure(
      `${at}: its original topic "${destination}" does not exist (pass --to <topic>)`,
    );
  if (!progressFits)
    return new CliFailure(
      `${at}: the redrive progress cannot track more records after those the filters left behind (commit metadata full); redrive without filters to move past them`,
    );
  return undefined;
}

async function startingPoint(
  session: KafkaSession,
  topic: string,
  group: string,
  options: RedriveOptions,
): Promise<{ ranges: OffsetRange[]; progress: Map<number, PartitionProgress> }> {
  const offsets = await session.admin.topicOffsets(topic);
  const committed = options.fromBeginning
    ? []
    : await session.admin.committedOffsets(group, [topic]);
  const byPartition = new Map(committed.map((c) => [c.partition, c]));
  const ranges: OffsetRange[] = [];
  const progress = new Map<number, PartitionProgress>();
  for (const { partition, low, high } of offsets) {
    const saved = byPartition.get(partition);
    const savedOffset = saved === undefined ? -1n : BigInt(saved.offset);
    const start = savedOffset > BigInt(low) ? savedOffset : BigInt(low);
    ranges.push({ partition, start, end: BigInt(high) });
    progress.set(
      partition,
      new PartitionProgress(
        start,
        decodeProgress(saved?.metadata, savedOffset < 0n ? 0n : savedOffset),
      ),
    );
  }
  return { ranges: ranges.sort((a, b) => a.partition - b.partition), progress };
}

function summary(topic: string, group: string, counts: Counts, options: RedriveOptions): string {
  const n = counts.redriven;
  const records = `${n} record${n === 1 ? '' : 's'}`;
  const notes: string[] = [];
  if (isFiltered(options.filter)) notes.push(`${counts.filteredOut} did not match the filters`);
  if (counts.redrivenBefore > 0)
    notes.push(
      `${counts.redrivenBefore} ${counts.redrivenBefore === 1 ? 'was' : 'were'} redriven before`,
    );
  const detail = notes.length > 0 ? `; ${notes.join(', ')}` : '';
  const to = n > 0 ? ` to ${[...counts.destinations].sort().join(', ')}` : '';
  if (options.dryRun)
    return `dry run: would redrive ${records} from ${topic}${to}${detail}; nothing produced or committed`;
  return `redrove ${records} from ${topic}${to}${detail}; progress committed in consumer group ${group}`;
}
