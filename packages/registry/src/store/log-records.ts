import { isCompatibilityLevel, type CompatibilityLevel } from '../compatibility';

/**
 * The records of the `_schemas` topic, as JSON keys and values. The topic is compacted, so the key
 * decides what survives: only the latest record per key is kept. Keys are chosen so that compaction
 * never changes what a replay decides (see schema-store.ts):
 *
 * - `SCHEMA` {subject, version, id, hash} → {schema}: a version of a subject. Two records share this
 *   key only when they say exactly the same thing, so a losing concurrent write can never replace the
 *   winner. A tombstone (null value) is a hard delete.
 * - `DELETED` {subject, version, id, hash} → {}: the soft delete of that version, a key of its own so
 *   that soft-deleting never rewrites (and so never compacts away) the `SCHEMA` record that won the
 *   version and the id.
 * - `CONFIG` {subject | null} → {compatibilityLevel}: the global (subject null) or a subject's
 *   compatibility level; a tombstone removes a subject's level.
 * - `MAX_ID` → {id}: the highest id ever given out, written before a hard delete so that, after the
 *   deleted records are compacted away, a fresh replay still never hands that id out again.
 */

export const KEY_MAGIC = 1;

export interface SchemaVersionKey {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  /** sha256 of the canonical schema text. */
  readonly hash: string;
}

export type LogEntry =
  | { readonly kind: 'schema'; readonly key: SchemaVersionKey; readonly schema: string | null }
  | { readonly kind: 'deleted'; readonly key: SchemaVersionKey; readonly tombstone: boolean }
  | {
      readonly kind: 'config';
      readonly subject: string | null;
      readonly level: CompatibilityLevel | null;
    }
  | { readonly kind: 'maxId'; readonly id: number };

export interface EncodedRecord {
  readonly key: string;
  readonly value: string | null;
}

export function encodeEntry(entry: LogEntry): EncodedRecord {
  switch (entry.kind) {
    case 'schema':
      return {
        key: JSON.stringify({
          keytype: 'SCHEMA',
          ...versionKeyFields(entry.key),
          magic: KEY_MAGIC,
        }),
        value:
          entry.schema === null
            ? null
            : JSON.stringify({ ...versionKeyFields(entry.key), schema: entry.schema }),
      };
    case 'deleted':
      return {
        key: JSON.stringify({
          keytype: 'DELETED',
          ...versionKeyFields(entry.key),
          magic: KEY_MAGIC,
        }),
        value: entry.tombstone ? null : JSON.stringify({ deleted: true }),
      };
    case 'config':
      return {
        key: JSON.stringify({ keytype: 'CONFIG', subject: entry.subject, magic: KEY_MAGIC }),
        value: entry.level === null ? null : JSON.stringify({ compatibilityLevel: entry.level }),
      };
    case 'maxId':
      return {
        key: JSON.stringify({ keytype: 'MAX_ID', magic: KEY_MAGIC }),
        value: JSON.stringify({ id: entry.id }),
      };
  }
}

/** The decoded record, or a reason it is not one of ours (foreign or corrupt records are skipped). */
export function decodeEntry(
  key: string | null,
  value: string | null,
): LogEntry | { readonly invalid: string } {
  if (key === null) return { invalid: 'record has no key' };
  const k = parseObject(key);
  if (!k) return { invalid: `key is not a JSON object: ${key.slice(0, 200)}` };
  let v: Record<string, unknown> | null = null;
  if (value !== null) {
    const parsed = parseObject(value);
    if (!parsed) return { invalid: `value is not a JSON object: ${value.slice(0, 200)}` };
    v = parsed;
  }

  switch (k.keytype) {
    case 'SCHEMA':
    case 'DELETED': {
      const versionKey = readVersionKey(k);
      if (!versionKey) return { invalid: `malformed ${String(k.keytype)} key: ${key}` };
      if (k.keytype === 'DELETED')
        return { kind: 'deleted', key: versionKey, tombstone: v === null };
      if (v !== null && typeof v.schema !== 'string')
        return { invalid: `SCHEMA value has no schema text: ${key}` };
      return { kind: 'schema', key: versionKey, schema: v === null ? null : (v.schema as string) };
    }
    case 'CONFIG': {
      if (k.subject !== null && typeof k.subject !== 'string')
        return { invalid: `malformed CONFIG key: ${key}` };
      const level = v === null ? null : v.compatibilityLevel;
      if (level !== null && !isCompatibilityLevel(level))
        return { invalid: `unknown compatibility level in ${value}` };
      return { kind: 'config', subject: k.subject, level };
    }
    case 'MAX_ID': {
      if (!v || !isPositiveInt(v.id))
        return { invalid: `malformed MAX_ID value: ${String(value)}` };
      return { kind: 'maxId', id: v.id };
    }
    default:
      return { invalid: `unknown keytype ${JSON.stringify(k.keytype)}` };
  }
}

/** A stable text for a version key, to use it as a map key. */
export function versionKeyId(key: SchemaVersionKey): string {
  return `${key.subject}\u0000${key.version}\u0000${key.id}\u0000${key.hash}`;
}

function versionKeyFields(key: SchemaVersionKey): SchemaVersionKey {
  return { subject: key.subject, version: key.version, id: key.id, hash: key.hash };
}

function readVersionKey(k: Record<string, unknown>): SchemaVersionKey | undefined {
  const { subject, version, id, hash } = k;
  if (
    typeof subject !== 'string' ||
    !isPositiveInt(version) ||
    !isPositiveInt(id) ||
    typeof hash !== 'string'
  ) {
    return undefined;
  }
  return { subject, version, id, hash };
}

function isPositiveInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
