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
import { hardDeleteEntries, LogWriter, softDeleteOf, type SchemaLog } from './store/log-writer';
import type { SchemaStore, SchemaVersion } from './store/schema-store';

/**
 * The registry's operations, on top of the in-memory store and the shared log.
 *
 * Reads first catch up with the log (one end-offset query, usually answered in a millisecond), so an
 * answer reflects every write any instance acknowledged before the request arrived. Writes go
 * through LogWriter, which keeps ids and versions unique across instances (see log-writer.ts).
 */

export type VersionSpec = number | 'latest';

export interface RegisterRequest {
  readonly schema?: unknown;
  readonly schemaType?: unknown;
  readonly references?: unknown;
}

export interface VersionView {
  readonly subject: string;
  readonly id: number;
  readonly version: number;
  readonly schema: string;
}

export class RegistryService {
  private readonly typesById = new Map<number, Type>();
  private readonly writer: LogWriter;

  constructor(
    private readonly store: SchemaStore,
    private readonly log: SchemaLog,
    logger: Logger,
  ) {
    this.writer = new LogWriter(log, logger);
  }

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

  /**
   * POST /compatibility/subjects/{subject}/versions[/{version}], as Confluent answers it.
   * Without a version: the check a registration makes (the latest version, or every live version
   * under a *_TRANSITIVE level). With one, `latest` included: against that version only, in the
   * level's direction. Answering `latest` like a registration once hid a client bug here that a
   * real Confluent registry exposes: a CI gate passing schemas that registration then rejects.
   */
  async testCompatibility(
    subject: string,
    spec: VersionSpec | undefined,
    request: RegisterRequest,
  ): Promise<CompatibilityResult> {
    const schema = this.parseRequest(request);
    await this.log.catchUp();
    const level = this.store.effectiveCompatibility(subject);
    return checkCompatibility(schema.type, this.compatibilityTargets(subject, spec), level);
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
    return this.writer.write(() => {
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
    return this.writer.write(() => {
      const all = this.store.versions(subject, true);
      if (all.length === 0) throw subjectNotFound(subject);
      const live = all.filter((v) => !v.deleted);
      if (!permanent) {
        if (live.length === 0) throw subjectSoftDeleted(subject);
        return { entries: live.map((v) => softDeleteOf(v)), result: live.map((v) => v.version) };
      }
      if (live.length > 0) throw subjectNotSoftDeleted(subject);
      return { entries: hardDeleteEntries(this.store, all), result: all.map((v) => v.version) };
    });
  }

  deleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Promise<number> {
    return this.writer.write(() => {
      // A soft delete of `latest` means the latest live version; otherwise deleted versions count,
      // so that deleting one twice says "already soft deleted" rather than "not found".
      const target = this.resolveVersion(subject, spec, permanent || spec !== 'latest');
      if (!permanent) {
        if (target.deleted) throw versionSoftDeleted(subject, target.version);
        return { entries: [softDeleteOf(target)], result: target.version };
      }
      if (!target.deleted) throw versionNotSoftDeleted(subject, target.version);
      return { entries: hardDeleteEntries(this.store, [target]), result: target.version };
    });
  }

  setGlobalCompatibility(level: unknown): Promise<CompatibilityLevel> {
    const checked = checkLevel(level);
    return this.writer.write(() => ({
      entries: [{ kind: 'config', subject: null, level: checked }],
      result: checked,
    }));
  }

  setSubjectCompatibility(subject: string, level: unknown): Promise<CompatibilityLevel> {
    const checked = checkLevel(level);
    return this.writer.write(() => ({
      entries: [{ kind: 'config', subject, level: checked }],
      result: checked,
    }));
  }

  /** Removes the subject's own level (it falls back to the global one); returns the removed level. */
  deleteSubjectCompatibility(subject: string): Promise<CompatibilityLevel> {
    return this.writer.write(() => {
      const current = this.store.subjectCompatibility(subject);
      if (!current) throw subjectNotFound(subject);
      return { entries: [{ kind: 'config', subject, level: null }], result: current };
    });
  }

  // --- helpers -------------------------------------------------------------------------------

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

  /** With a single schema to compare, a *_TRANSITIVE level checks the same as its direction. */
  private compatibilityTargets(
    subject: string,
    spec: VersionSpec | undefined,
  ): { version: number; type: Type }[] {
    if (spec === undefined) return this.liveSchemas(subject);
    // Confluent compares `latest` of a subject without live versions with nothing: compatible.
    if (spec === 'latest' && !this.store.latest(subject)) return [];
    return [this.existing(this.resolveVersion(subject, spec, false))];
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

function checkLevel(level: unknown): CompatibilityLevel {
  const upper = typeof level === 'string' ? level.toUpperCase() : level;
  if (!isCompatibilityLevel(upper)) throw invalidCompatibilityLevel(level);
  return upper;
}
