import { hashOf } from '../avro-schema';
import { DEFAULT_COMPATIBILITY, type CompatibilityLevel } from '../compatibility';
import { versionKeyId, type LogEntry, type SchemaVersionKey } from './log-records';

/**
 * The registry's state, rebuilt by applying the `_schemas` log in offset order. Pure: no I/O.
 *
 * Every instance applies the same log in the same order with the same rules, so every instance
 * reaches the same state. Writers do not coordinate; they propose records, and the log decides:
 *
 * - a version (subject, version) belongs to the first `SCHEMA` record that claims it;
 * - an id belongs to the first schema (canonical text) that claims it, and a schema keeps the first
 *   id it was given;
 * - a later record that contradicts either is *rejected*: every instance ignores it the same way.
 *
 * A rejected record stays in the log until it is tombstoned (its writer does so at once; a hard
 * delete also tombstones every rejected record this store knows), because once its winner is hard
 * deleted and compacted away, a replay would otherwise accept it.
 */

export type ApplyOutcome = 'accepted' | 'rejected' | 'ignored';

export interface SchemaVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly hash: string;
  readonly deleted: boolean;
}

interface StoredSchema {
  readonly canonical: string;
  readonly hash: string;
  /** Versions (in any subject, soft-deleted included) that use this id. */
  references: number;
}

export class SchemaStore {
  private readonly subjects = new Map<string, Map<number, SchemaVersion>>();
  private readonly schemasById = new Map<number, StoredSchema>();
  private readonly idsByHash = new Map<string, number>();
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  private globalLevel: CompatibilityLevel | undefined;
  private highestId = 0;
  /** Rejected `SCHEMA` and `DELETED` records still in the log, by key. */
  private readonly rejected = new Map<string, LogEntry>();

  apply(entry: LogEntry): ApplyOutcome {
    switch (entry.kind) {
      case 'schema':
        return entry.schema === null
          ? this.removeVersion(entry.key)
          : this.addVersion(entry, entry.schema);
      case 'deleted':
        return this.markDeleted(entry);
      case 'config':
        if (entry.subject === null) this.globalLevel = entry.level ?? undefined;
        else if (entry.level === null) this.subjectLevels.delete(entry.subject);
        else this.subjectLevels.set(entry.subject, entry.level);
        return 'accepted';
      case 'maxId':
        this.highestId = Math.max(this.highestId, entry.id);
        return 'accepted';
    }
  }

  // --- queries -------------------------------------------------------------------------------

  /** Subjects with at least one live version (or any version, with `includeDeleted`), sorted. */
  subjectNames(includeDeleted = false): string[] {
    return [...this.subjects.keys()]
      .filter((s) => this.versions(s, includeDeleted).length > 0)
      .sort();
  }

  /** The subject's versions, ascending; live only unless `includeDeleted`. */
  versions(subject: string, includeDeleted = false): SchemaVersion[] {
    const versions = [...(this.subjects.get(subject)?.values() ?? [])];
    return versions
      .filter((v) => includeDeleted || !v.deleted)
      .sort((a, b) => a.version - b.version);
  }

  version(subject: string, version: number): SchemaVersion | undefined {
    return this.subjects.get(subject)?.get(version);
  }

  latest(subject: string, includeDeleted = false): SchemaVersion | undefined {
    return this.versions(subject, includeDeleted).at(-1);
  }

  /** The latest version of `subject` holding the schema with this hash. */
  findInSubject(subject: string, hash: string, includeDeleted = false): SchemaVersion | undefined {
    return this.versions(subject, includeDeleted)
      .filter((v) => v.hash === hash)
      .at(-1);
  }

  schemaText(id: number): string | undefined {
    return this.schemasById.get(id)?.canonical;
  }

  idOf(hash: string): number | undefined {
    return this.idsByHash.get(hash);
  }

  /** Every version using this id, by subject then version. */
  versionsOfId(id: number, includeDeleted = false): SchemaVersion[] {
    const found: SchemaVersion[] = [];
    for (const subject of [...this.subjects.keys()].sort()) {
      for (const v of this.versions(subject, includeDeleted)) if (v.id === id) found.push(v);
    }
    return found;
  }

  /** The id a new schema gets: one above any id ever given out (ids are never reused). */
  nextId(): number {
    return this.highestId + 1;
  }

  highestIdGiven(): number {
    return this.highestId;
  }

  /** The version a new registration in `subject` gets: one above any version it has, deleted or not. */
  nextVersion(subject: string): number {
    return (this.latest(subject, true)?.version ?? 0) + 1;
  }

  globalCompatibility(): CompatibilityLevel {
    return this.globalLevel ?? DEFAULT_COMPATIBILITY;
  }

  subjectCompatibility(subject: string): CompatibilityLevel | undefined {
    return this.subjectLevels.get(subject);
  }

  effectiveCompatibility(subject: string): CompatibilityLevel {
    return this.subjectCompatibility(subject) ?? this.globalCompatibility();
  }

  /** Rejected records still in the log, so that a hard delete can tombstone them too. */
  rejectedEntries(): LogEntry[] {
    return [...this.rejected.values()];
  }

  // --- rules ---------------------------------------------------------------------------------

  private addVersion(entry: LogEntry & { kind: 'schema' }, schema: string): ApplyOutcome {
    const { key } = entry;
    const existing = this.version(key.subject, key.version);
    if (existing) {
      // The same record again (a retry, or two instances registering the same thing): a no-op.
      return existing.id === key.id && existing.hash === key.hash ? 'accepted' : this.reject(entry);
    }
    const owner = this.schemasById.get(key.id);
    if (owner && owner.hash !== key.hash) return this.reject(entry); // the id belongs to another schema
    const idOfSchema = this.idsByHash.get(key.hash);
    if (idOfSchema !== undefined && idOfSchema !== key.id) return this.reject(entry); // schema has an id
    if (hashOf(schema) !== key.hash) return this.reject(entry); // corrupt: key and text disagree

    let versions = this.subjects.get(key.subject);
    if (!versions) this.subjects.set(key.subject, (versions = new Map()));
    versions.set(key.version, { ...key, deleted: false });
    this.rejected.delete(`schema:${versionKeyId(key)}`); // the key's latest record is now this one
    if (owner) owner.references += 1;
    else {
      this.schemasById.set(key.id, { canonical: schema, hash: key.hash, references: 1 });
      this.idsByHash.set(key.hash, key.id);
    }
    this.highestId = Math.max(this.highestId, key.id);
    return 'accepted';
  }

  private removeVersion(key: SchemaVersionKey): ApplyOutcome {
    const existing = this.version(key.subject, key.version);
    if (!existing || existing.id !== key.id || existing.hash !== key.hash) {
      return this.rejected.delete(`schema:${versionKeyId(key)}`) ? 'accepted' : 'ignored';
    }
    const versions = this.subjects.get(key.subject);
    versions?.delete(key.version);
    if (versions?.size === 0) this.subjects.delete(key.subject);
    const stored = this.schemasById.get(key.id);
    if (stored && --stored.references === 0) {
      // Unreferenced schemas are forgotten, as a replay after compaction would forget them; their
      // id stays taken through `highestId` (and the MAX_ID record written before the delete).
      this.schemasById.delete(key.id);
      this.idsByHash.delete(key.hash);
    }
    return 'accepted';
  }

  private markDeleted(entry: LogEntry & { kind: 'deleted' }): ApplyOutcome {
    const keyId = `deleted:${versionKeyId(entry.key)}`;
    if (entry.tombstone) {
      // Only a hard delete tombstones a DELETED record, right after the version's own tombstone.
      return this.rejected.delete(keyId) ? 'accepted' : 'ignored';
    }
    const existing = this.version(entry.key.subject, entry.key.version);
    if (!existing || existing.id !== entry.key.id || existing.hash !== entry.key.hash)
      return this.reject(entry);
    this.subjects.get(existing.subject)?.set(existing.version, { ...existing, deleted: true });
    this.rejected.delete(keyId);
    return 'accepted';
  }

  private reject(entry: LogEntry): ApplyOutcome {
    if (entry.kind === 'schema') this.rejected.set(`schema:${versionKeyId(entry.key)}`, entry);
    if (entry.kind === 'deleted') this.rejected.set(`deleted:${versionKeyId(entry.key)}`, entry);
    return 'rejected';
  }
}
