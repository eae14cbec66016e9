import type { Type } from 'avsc';
import type { Logger } from 'pino';
import { parseAvroSchema, type AvroSchema } from './avro-schema';
import {
  checkCompatibility,
  isCompatibilityLevel,
  type CompatibilityLevel,
  type CompatibilityResult,
} from './compatibility';
import {
  incompatibleSchema,
  invalidCompatibilityLevel,
  invalidSchema,
  schemaNotFound,
  storeError,
  subjectLevelConfigNotFound,
  subjectNotFound,
  subjectNotSoftDeleted,
  subjectSoftDeleted,
  versionNotFound,
  versionNotSoftDeleted,
  versionSoftDeleted,
} from './errors';
import { encodeEntry, type LogEntry } from './store/log-records';
import type { ApplyOutcome, SchemaStore, SchemaVersion } from './store/schema-store';

/**
 * The registry's operations, on top of the in-memory store and the shared log.
 *
 * Reads first catch up with the log (one end-offset query, usually answered in a millisecond), so an
 * answer reflects every write any instance acknowledged before the request arrived.
 *
 * Writes — how ids and versions stay unique with several instances and no leader:
 * 1. Writes in this instance run one at a time.
 * 2. Catch up with the log, then decide on the caught-up state, deterministically: a schema already
 *    known anywhere keeps its id; a new schema gets `highest id ever given + 1`; a new version is
 *    `highest version of the subject + 1`.
 * 3. Produce the record and wait until this instance's reader has applied it. The log is a single
 *    partition, so every instance applies records in one order, and the store's first-claim-wins
 *    rules (schema-store.ts) decide the same way everywhere: if another instance claimed the same
 *    version or id, or gave the same schema another id, first, our record is *rejected* on every
 *    instance.
 * 4. On rejection, tombstone our record (so compaction can never resurrect it) and go back to 2: the
 *    catch-up now includes the competing write, so the next decision accounts for it. Conflicts need
 *    two instances writing within the same few milliseconds, so a handful of attempts suffices.
 */

export type VersionSpec = number | 'latest';

export interface RegisterRequest {
  readonly schema?: unknown;
  readonly schemaType?: unknown;
  readonly references?: unknown;
}

/** What the log looks like to the service: catch up, and append records with their outcomes. */
export interface SchemaLog {
  catchUp(): Promise<void>;
  append(records: readonly { key: string; value: string | null }[]): Promise<ApplyOutcome[]>;
}

export interface VersionView {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  readonly schema: string;
}

interface WritePlan<T> {
  readonly entries: readonly LogEntry[];
  readonly result: T;
}

const MAX_WRITE_ATTEMPTS = 5;

export class RegistryService {
  private writeQueue: Promise<unknown> = Promise.resolve();
  private readonly typesById = new Map<number, Type>();

  constructor(
    private readonly store: SchemaStore,
    private readonly log: SchemaLog,
    private readonly logger: Logger,
  ) {}

  // --- reads ---------------------------------------------------------------------------------

  async subjects(includeDeleted: boolean): Promise<string[]> {
    await this.log.catchUp();
    return this.store.subjectNames(includeDeleted);
  }

  async versions(subject: string, includeDeleted: boolean): Promise<number[]> {
    await this.log.catchUp();
    const versions = this.store.versions(subject, includeDeleted);
    if (versions.length === 0) throw subjectNotFound(subject);
    return versions.map((v) => v.version);
  }

  async version(subject: string, spec: VersionSpec, includeDeleted: boolean): Promise<VersionView> {
    await this.log.catchUp();
    return this.view(this.resolveVersion(subject, spec, includeDeleted));
  }

  async schemaById(id: number): Promise<string> {
    await this.log.catchUp();
    const schema = this.store.schemaText(id);
    if (schema === undefined) throw schemaNotFound(`Schema ${id} not found`);
    return schema;
  }

  async versionsOfId(
    id: number,
    includeDeleted: boolean,
  ): Promise<{ subject: string; version: number }[]> {
    await this.log.catchUp();
    if (this.store.schemaText(id) === undefined) throw schemaNotFound(`Schema ${id} not found`);
    return this.store
      .versionsOfId(id, includeDeleted)
      .map(({ subject, version }) => ({ subject, version }));
  }

  async subjectsOfId(id: number, includeDeleted: boolean): Promise<string[]> {
    const versions = await this.versionsOfId(id, includeDeleted);
    return [...new Set(versions.map((v) => v.subject))];
  }

  /** Is this schema registered under the subject? (POST /subjects/{subject}) */
  async lookup(
    subject: string,
    request: RegisterRequest,
    includeDeleted: boolean,
  ): Promise<VersionView> {
    const schema = this.parseRequest(request);
    await this.log.catchUp();
    if (this.store.versions(subject, includeDeleted).length === 0) throw subjectNotFound(subject);
    const found = this.store.findInSubject(subject, schema.hash, includeDeleted);
    if (!found) throw schemaNotFound();
    return this.view(found);
  }

  async testCompatibility(
    subject: string,
    spec: VersionSpec | undefined,
    request: RegisterRequest,
  ): Promise<CompatibilityResult> {
    const schema = this.parseRequest(request);
    await this.log.catchUp();
    const level = this.store.effectiveCompatibility(subject);
    if (spec === undefined || (spec === 'latest' && !this.store.latest(subject))) {
      // Against the subject as a registration would be: the latest, or every version if transitive.
      return checkCompatibility(schema.type, this.liveSchemas(subject), level);
    }
    const target = this.resolveVersion(subject, spec, false);
    const against = spec === 'latest' ? this.liveSchemas(subject) : [this.existing(target)];
    return checkCompatibility(schema.type, against, level);
  }

  globalCompatibility(): Promise<CompatibilityLevel> {
    return this.log.catchUp().then(() => this.store.globalCompatibility());
  }

  async subjectCompatibility(
    subject: string,
    defaultToGlobal: boolean,
  ): Promise<CompatibilityLevel> {
    await this.log.catchUp();
    const level = this.store.subjectCompatibility(subject);
    if (level) return level;
    if (defaultToGlobal) return this.store.globalCompatibility();
    throw subjectLevelConfigNotFound(subject);
  }

  // --- writes --------------------------------------------------------------------------------

  async register(subject: string, request: RegisterRequest): Promise<{ id: number }> {
    const schema = this.parseRequest(request);
    return this.write(() => {
      const existing = this.store.findInSubject(subject, schema.hash);
      if (existing) return { entries: [], result: { id: existing.id } };
      const result = checkCompatibility(
        schema.type,
        this.liveSchemas(subject),
        this.store.effectiveCompatibility(subject),
      );
      if (!result.compatible) throw incompatibleSchema(result.messages);
      const id = this.store.idOf(schema.hash) ?? this.store.nextId();
      const version = this.store.nextVersion(subject);
      const key = { subject, version, id, hash: schema.hash };
      return { entries: [{ kind: 'schema', key, schema: schema.canonical }], result: { id } };
    });
  }

  /** Soft-deletes the subject's live versions, or hard-deletes its soft-deleted ones. */
  deleteSubject(subject: string, permanent: boolean): Promise<number[]> {
    return this.write(() => {
      const all = this.store.versions(subject, true);
      if (all.length === 0) throw subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (!permanent) {
        if (live.length === 0) throw subjectSoftDeleted(subject);
        return { entries: live.map((v) => softDeleteOf(v)), result: live.map((v) => v.version) };
      }
      if (live.length > 0) throw subjectNotSoftDeleted(subject);
      return { entries: this.hardDeleteEntries(all), result: all.map((v) => v.version) };
    });
  }

  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.write(() => {
      // A soft delete of `latest` means the latest live version; otherwise deleted versions count,
      // so that deleting one twice says "already soft deleted" rather than "not found".
      const target = this.resolveVersion(subject, spec, permanent || spec !== 'latest');
      if (!permanent) {
        if (target.deleted) throw versionSoftDeleted(subject, target.version);
        return { entries: [softDeleteOf(target)], result: target.version };
      }
      if (!target.deleted) throw versionNotSoftDeleted(subject, target.version);
      return { entries: this.hardDeleteEntries([target]), result: target.version };
    });
  }

  setGlobalCompatibility(level: unknown): Promise<CompatibilityLevel> {
    const checked = checkLevel(level);
    return this.write(() => ({
      entries: [{ kind: 'config', subject: null, level: checked }],
      result: checked,
    }));
  }

  setSubjectCompatibility(subject: string, level: unknown): Promise<CompatibilityLevel> {
    const checked = checkLevel(level);
    return this.write(() => ({
      entries: [{ kind: 'config', subject, level: checked }],
      result: checked,
    }));
  }

  /** Removes the subject's own level (it falls back to the global one); returns the removed level. */
  deleteSubjectCompatibility(subject: string): Promise<CompatibilityLevel> {
    return this.write(() => {
      const current = this.store.subjectCompatibility(subject);
      if (!current) throw subjectNotFound(subject);
      return { entries: [{ kind: 'config', subject, level: null }], result: current };
    });
  }

  // --- helpers -------------------------------------------------------------------------------

  /** Runs `plan` on caught-up state and appends its records, retrying when another instance won. */
  private write<T>(plan: () => WritePlan<T>): Promise<T> {
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
        this.logger.info(
          { attempt, rejected: rejected.length },
          'another registry instance wrote first; retrying',
        );
      }
    };
    const result = this.writeQueue.then(run, run);
    this.writeQueue = result.catch(() => undefined);
    return result;
  }

  /**
   * Records that hard-delete `versions`: first the highest id ever given (so it is never given again
   * once the deleted records are compacted away), then each version's tombstones, then tombstones
   * for every rejected record still in the log (which the deleted versions kept rejected).
   */
  private hardDeleteEntries(versions: readonly SchemaVersion[]): LogEntry[] {
    const entries: LogEntry[] = [{ kind: 'maxId', id: this.store.highestIdGiven() }];
    for (const v of versions) {
      const key = { subject: v.subject, version: v.version, id: v.id, hash: v.hash };
      entries.push(
        { kind: 'schema', key, schema: null },
        { kind: 'deleted', key, tombstone: true },
      );
    }
    for (const rejected of this.store.rejectedEntries()) entries.push(tombstoneOf(rejected));
    return entries;
  }

  private parseRequest(request: RegisterRequest): AvroSchema {
    const { schemaType, references } = request;
    if (schemaType !== undefined && schemaType !== null && schemaType !== 'AVRO') {
      throw invalidSchema(
        `unsupported schemaType ${JSON.stringify(schemaType)}: this registry supports AVRO only`,
      );
    }
    if (
      references !== undefined &&
      references !== null &&
      !(Array.isArray(references) && references.length === 0)
    ) {
      throw invalidSchema('schema references are not supported by this registry');
    }
    return parseAvroSchema(request.schema);
  }

  private resolveVersion(
    subject: string,
    spec: VersionSpec,
    includeDeleted: boolean,
  ): SchemaVersion {
    if (this.store.versions(subject, includeDeleted).length === 0) throw subjectNotFound(subject);
    const found =
      spec === 'latest'
        ? this.store.latest(subject, includeDeleted)
        : this.store.version(subject, spec);
    if (!found || (found.deleted && !includeDeleted)) throw versionNotFound(subject, spec);
    return found;
  }

  private liveSchemas(subject: string): { version: number; type: Type }[] {
    return this.store.versions(subject).map((v) => this.existing(v));
  }

  private existing(version: SchemaVersion): { version: number; type: Type } {
    return { version: version.version, type: this.typeOf(version.id) };
  }

  private typeOf(id: number): Type {
    let type = this.typesById.get(id);
    if (!type) {
      const text = this.store.schemaText(id);
      if (text === undefined) throw storeError(`schema ${id} is referenced but not stored`);
      type = parseAvroSchema(text).type;
      this.typesById.set(id, type);
    }
    return type;
  }

  private view(version: SchemaVersion): VersionView {
    const schema = this.store.schemaText(version.id);
    if (schema === undefined) throw storeError(`schema ${version.id} is referenced but not stored`);
    return { subject: version.subject, id: version.id, version: version.version, schema };
  }
}

function softDeleteOf(v: SchemaVersion): LogEntry {
  return {
    kind: 'deleted',
    key: { subject: v.subject, version: v.version, id: v.id, hash: v.hash },
    tombstone: false,
  };
}

function tombstoneOf(entry: LogEntry): LogEntry {
  if (entry.kind === 'schema') return { ...entry, schema: null };
  if (entry.kind === 'deleted') return { ...entry, tombstone: true };
  return entry; // only SCHEMA and DELETED records can be rejected
}

function checkLevel(level: unknown): CompatibilityLevel {
  const upper = typeof level === 'string' ? level.toUpperCase() : level;
  if (!isCompatibilityLevel(upper)) throw invalidCompatibilityLevel(level);
  return upper;
}
