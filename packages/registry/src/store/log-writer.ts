import type { Logger } from 'pino';
import { storeError } from '../errors';
import { encodeEntry, type LogEntry } from './log-records';
import type { ApplyOutcome, SchemaStore, SchemaVersion } from './schema-store';

/**
 * How writes stay consistent with several registry instances on one topic and no leader.
 *
 * 1. Writes in this instance run one at a time.
 * 2. Catch up with the log, then decide on the caught-up state, deterministically: a schema already
 *    known anywhere keeps its id; a new schema gets `highest id ever given + 1`; a new version is
 *    `highest version of the subject + 1`.
 * 3. Produce the records and wait until this instance's reader has applied them. The log is a single
 *    partition, so every instance applies records in one order, and the store's first-claim-wins
 *    rules (schema-store.ts) decide the same way everywhere: if another instance claimed the same
 *    version or id first, or gave the same schema another id first, our record is *rejected* on
 *    every instance — two instances can never hand out one id for two schemas.
 * 4. On rejection, tombstone our record (so compaction can never resurrect it), wait a random
 *    moment and go back to 2: the catch-up now includes the competing write, so the next decision
 *    accounts for it. The random wait (full jitter, growing per attempt) breaks the symmetry of two
 *    instances that both have a queue of writes: without it, under load, each instance's next write
 *    kept landing in the other's window and a write could lose five times in a row.
 *
 * What this does not cover: an instance that dies between losing a race and tombstoning its record
 * leaves the record in the log, still rejected by every replay while the winner exists; the next
 * hard delete tombstones every rejected record the store knows (see `hardDeleteEntries`), before
 * compaction could let it win.
 */

/** What the writer needs of the log: catch up, and append records with their outcomes. */
export interface SchemaLog {
  catchUp(): Promise<void>;
  append(records: readonly { key: string; value: string | null }[]): Promise<ApplyOutcome[]>;
}

/** What a write decided on caught-up state: the records to append and the answer to give. */
export interface WritePlan<T> {
  readonly entries: readonly LogEntry[];
  readonly result: T;
}

const MAX_WRITE_ATTEMPTS = 10;
/** Upper bound of the random wait after the n-th lost attempt: 10 ms · 2^n, at most 250 ms. */
const backoffCapMs = (attempt: number) => Math.min(250, 10 * 2 ** attempt);

export class LogWriter {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: SchemaLog,
    private readonly logger: Logger,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /**
   * Runs `plan` on caught-up state and appends its records, retrying when another instance won.
   * `plan` may throw (a RegistryError such as 409): nothing is written then.
   */
  write<T>(plan: () => WritePlan<T>): Promise<T> {
    const run = async (): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        await this.log.catchUp();
        const { entries, result } = plan();
        if (entries.length === 0) return result;
        const outcomes = await this.log.append(entries.map(encodeEntry));
        const rejected = entries.filter((_, i) => outcomes[i] === 'rejected');
        if (rejected.length === 0) return result;
        await this.log.append(rejected.map((entry) => encodeEntry(tombstoneOf(entry))));
        if (attempt >= MAX_WRITE_ATTEMPTS) {
          throw storeError(
            `write lost to concurrent writes from other instances ${attempt} times; try again`,
          );
        }
        const waitMs = Math.round(Math.random() * backoffCapMs(attempt));
        this.logger.info(
          { attempt, rejected: rejected.length, waitMs },
          'another registry instance wrote first; retrying',
        );
        await this.sleep(waitMs);
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

export function softDeleteOf(v: SchemaVersion): LogEntry {
  return {
    kind: 'deleted',
    key: { subject: v.subject, version: v.version, id: v.id, hash: v.hash },
    tombstone: false,
  };
}

/**
 * Records that hard-delete `versions`: first the highest id ever given (so it is never given again
 * once the deleted records are compacted away), then each version's tombstones, then tombstones for
 * every rejected record still in the log (which the deleted versions kept rejected).
 */
export function hardDeleteEntries(
  store: SchemaStore,
  versions: readonly SchemaVersion[],
): LogEntry[] {
  const entries: LogEntry[] = [{ kind: 'maxId', id: store.highestIdGiven() }];
  for (const v of versions) {
    const key = { subject: v.subject, version: v.version, id: v.id, hash: v.hash };
    entries.push({ kind: 'schema', key, schema: null }, { kind: 'deleted', key, tombstone: true });
  }
  for (const rejected of store.rejectedEntries()) entries.push(tombstoneOf(rejected));
  return entries;
}

function tombstoneOf(entry: LogEntry): LogEntry {
  if (entry.kind === 'schema') return { ...entry, schema: null };
  if (entry.kind === 'deleted') return { ...entry, tombstone: true };
  return entry; // only SCHEMA and DELETED records can be rejected
}
