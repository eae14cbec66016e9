import type { RecordProducer } from '../kafka/producer';
import type { OutgoingRecord } from '../kafka/records';
import { sendTraced } from '../observability/send-span';
import { IsolatedOutcome, publishIsolatingFailures } from './failure-isolation';
import { StoredHeaders, decodeHeaders } from './message';
import type { OutboxRow } from './pg-relay';
import { TimeoutError, withTimeout } from '../runtime/timers';

/** A row as the claim returns it. */
export interface ClaimedRow {
  id: string;
  aggregate_key: string;
  topic: string;
  message_key: Buffer | null;
  value: Buffer | null;
  headers: StoredHeaders;
  attempts: number;
}

/**
 * Sends a claimed batch (id order) with the rows Kafka refuses isolated per aggregate
 * (failure-isolation.ts). Every send of the batch shares one deadline, `publishTimeoutMs` from now,
 * so the relay's transaction never waits longer than that on Kafka.
 */
export function sendClaimedRows(
  producer: RecordProducer,
  rows: readonly ClaimedRow[],
  publishTimeoutMs: number,
): Promise<IsolatedOutcome<ClaimedRow>> {
  const deadline = Date.now() + publishTimeoutMs;
  return publishIsolatingFailures(
    runsByAggregate(rows),
    async (batch) => {
      const remainingMs = deadline - Date.now();
      // No time left for this run: fail it as the timer would have (withTimeout(…, 0) has no limit).
      if (remainingMs <= 0) throw new TimeoutError('outbox relay publish', publishTimeoutMs);
      await withTimeout(send(producer, batch, remainingMs), remainingMs, 'outbox relay publish');
    },
    () => Date.now() < deadline,
  );
}

function send(
  producer: RecordProducer,
  rows: readonly ClaimedRow[],
  timeoutMs: number,
): Promise<unknown> {
  // Grouped per topic in id order; the producer keeps that order within each partition.
  const byTopic = new Map<string, OutgoingRecord[]>();
  for (const row of rows) {
    let records = byTopic.get(row.topic);
    if (!records) byTopic.set(row.topic, (records = []));
    records.push({ key: row.message_key, value: row.value, headers: decodeHeaders(row.headers) });
  }
  // With an SDK registered, one send span per row: a child of the context captured when the row
  // was added (its traceparent), linked to it; the row goes out with the span's context.
  return sendTraced(
    [...byTopic].map(([topic, records]) => ({ topic, records })),
    (batch) => producer.send(batch, { timeoutMs }),
    { parent: 'record', link: true },
  );
}

/** The claim's rows (id order) split by aggregate, each run in id order. */
function runsByAggregate(rows: readonly ClaimedRow[]): ClaimedRow[][] {
  const runs = new Map<string, ClaimedRow[]>();
  for (const row of rows) {
    let run = runs.get(row.aggregate_key);
    if (!run) runs.set(row.aggregate_key, (run = []));
    run.push(row);
  }
  return [...runs.values()];
}

export function toOutboxRow(row: ClaimedRow): OutboxRow {
  return { id: row.id, aggregateKey: row.aggregate_key, topic: row.topic, attempts: row.attempts };
}
