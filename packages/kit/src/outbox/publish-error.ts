import { TroupeError } from '../errors';
import type { OutboxRow } from './pg-relay';

/** How many failures the message spells out; `failures` has them all. */
const SHOWN = 3;

/**
 * Rows of one relay round that Kafka did not take. Each was marked failed (`attempts`,
 * `last_error`, `next_attempt_at`) and holds back the later rows of its aggregate until it is
 * published; the rest of the batch went. `cause` is the first row's error.
 */
export class OutboxPublishError extends TroupeError {
  constructor(readonly failures: readonly { row: OutboxRow; error: Error }[]) {
    const shown = failures
      .slice(0, SHOWN)
      .map(
        ({ row, error }) =>
          `row ${row.id} of aggregate ${JSON.stringify(row.aggregateKey)} for topic ${JSON.stringify(row.topic)} (attempt ${row.attempts + 1}): ${error.message}`,
      );
    const more = failures.length > SHOWN ? `; and ${failures.length - SHOWN} more` : '';
    super(
      'OUTBOX_PUBLISH_FAILED',
      `outbox relay: expected Kafka to acknowledge every claimed row, found ${failures.length} refused (each holds back its aggregate and is retried later): ${shown.join('; ')}${more}`,
      { cause: failures[0]?.error },
    );
  }
}
