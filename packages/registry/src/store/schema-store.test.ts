import { parseAvroSchema } from '../avro-schema';
import { decodeEntry, encodeEntry, type EncodedRecord, type LogEntry } from './log-records';
import { SchemaStore, type ApplyOutcome } from './schema-store';

const schemaA = parseAvroSchema(
  '{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}',
);
const schemaB = parseAvroSchema(
  '{"type":"record","name":"B","fields":[{"name":"y","type":"string"}]}',
);
const schemaC = parseAvroSchema('"string"');

const put = (subject: string, version: number, id: number, schema = schemaA): LogEntry => ({
  kind: 'schema',
  key: { subject, version, id, hash: schema.hash },
  schema: schema.canonical,
});
const tombstone = (entry: LogEntry): LogEntry =>
  entry.kind === 'schema'
    ? { ...entry, schema: null }
    : entry.kind === 'deleted'
      ? { ...entry, tombstone: true }
      : entry;
const softDelete = (entry: LogEntry): LogEntry => {
  if (entry.kind !== 'schema') throw new Error('not a schema entry');
  return { kind: 'deleted', key: entry.key, tombstone: false };
};

/** Applies entries through the real record encoding, as the log reader does. */
function replay(records: readonly EncodedRecord[]): {
  store: SchemaStore;
  outcomes: ApplyOutcome[];
} {
  const store = new SchemaStore();
  const outcomes = records.map((record) => {
    const entry = decodeEntry(record.key, record.value);
    if ('invalid' in entry) throw new Error(entry.invalid);
    return store.apply(entry);
  });
  return { store, outcomes };
}

/** What Kafka compaction keeps: the last record per key, in offset order (tombstones kept, as before delete.retention.ms). */
function compact(records: readonly EncodedRecord[], dropTombstones = false): EncodedRecord[] {
  const last = new Map<string, number>();
  records.forEach((record, offset) => last.set(record.key, offset));
  return records.filter(
    (record, offset) =>
      last.get(record.key) === offset && !(dropTombstones && record.value === null),
  );
}

/** Everything a client can observe, for comparing two stores. */
function observable(store: SchemaStore): unknown {
  return {
    subjects: store.subjectNames(true).map((s) => [s, store.versions(s, true)]),
    ids: [1, 2, 3, 4, 5].map((id) => store.schemaText(id) ?? null),
    nextId: store.nextId(),
    global: store.globalCompatibility(),
  };
}

describe('SchemaStore', () => {
  it('gives versions and ids to the first record that claims them', () => {
    const { store, outcomes } = replay(
      [put('s', 1, 1), put('s', 1, 2, schemaB), put('t', 1, 1, schemaB)].map(encodeEntry),
    );
    expect(outcomes).toEqual(['accepted', 'rejected', 'rejected']);
    expect(store.versions('s')).toEqual([
      { subject: 's', version: 1, id: 1, hash: schemaA.hash, deleted: false },
    ]);
    expect(store.subjectNames()).toEqual(['s']);
    expect(store.nextId()).toBe(2);
  });

  it('accepts the same record twice (a retry, or two instances agreeing) as a no-op', () => {
    const { store, outcomes } = replay([put('s', 1, 1), put('s', 1, 1)].map(encodeEntry));
    expect(outcomes).toEqual(['accepted', 'accepted']);
    expect(store.versions('s')).toHaveLength(1);
  });

  it('keeps one id per schema: the same schema under another subject must reuse it', () => {
    const { store, outcomes } = replay(
      [put('s', 1, 1), put('t', 1, 2), put('t', 1, 1)].map(encodeEntry),
    );
    expect(outcomes).toEqual(['accepted', 'rejected', 'accepted']);
    expect(store.versionsOfId(1).map((v) => v.subject)).toEqual(['s', 't']);
    expect(store.idOf(schemaA.hash)).toBe(1);
  });

  it('rejects a record whose schema text does not match its hash', () => {
    const corrupt: LogEntry = {
      kind: 'schema',
      key: { subject: 's', version: 1, id: 1, hash: schemaA.hash },
      schema: schemaB.canonical,
    };
    expect(replay([encodeEntry(corrupt)]).outcomes).toEqual(['rejected']);
  });

  it('soft-deletes without forgetting, hard-deletes by tombstone, and never reuses an id', () => {
    const v1 = put('s', 1, 1);
    const v2 = put('s', 2, 2, schemaB);
    const records = [
      v1,
      v2,
      softDelete(v2),
      { kind: 'maxId', id: 2 } as LogEntry,
      tombstone(v2),
      tombstone(softDelete(v2)),
    ];
    const { store } = replay(records.slice(0, 3).map(encodeEntry));
    expect(store.versions('s').map((v) => v.version)).toEqual([1]);
    expect(store.versions('s', true).map((v) => [v.version, v.deleted])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(store.schemaText(2)).toBe(schemaB.canonical); // still served by id while soft-deleted
    expect(store.nextVersion('s')).toBe(3);

    const after = replay(records.map(encodeEntry)).store;
    expect(after.versions('s', true).map((v) => v.version)).toEqual([1]);
    expect(after.schemaText(2)).toBeUndefined();
    expect(after.nextId()).toBe(3);
    expect(after.nextVersion('s')).toBe(2);
  });

  it('reaches the same state from the compacted log as from the full log', () => {
    const v1 = put('s', 1, 1);
    const v2 = put('s', 2, 2, schemaB);
    const losing = put('s', 2, 3, schemaC); // another instance's concurrent v2
    const entries: LogEntry[] = [
      { kind: 'config', subject: null, level: 'FULL' },
      v1,
      v2,
      losing,
      tombstone(losing), // its writer cleans up at once
      put('t', 1, 1),
      softDelete(v2),
      { kind: 'config', subject: null, level: 'NONE' },
      softDelete(v1),
      { kind: 'maxId', id: 2 },
      tombstone(v1),
      tombstone(softDelete(v1)),
    ];
    const records = entries.map(encodeEntry);
    const full = replay(records).store;
    expect(observable(replay(compact(records)).store)).toEqual(observable(full));
    expect(observable(replay(compact(records, true)).store)).toEqual(observable(full));
    expect(full.globalCompatibility()).toBe('NONE');
  });

  it('remembers rejected records until they are tombstoned, so a hard delete cannot resurrect them', () => {
    const winner = put('s', 1, 1);
    const loser = put('s', 1, 2, schemaB); // its writer crashed before tombstoning it
    const store = new SchemaStore();
    store.apply(winner);
    store.apply(loser);
    expect(store.rejectedEntries()).toEqual([loser]);

    // The hard delete of the winner tombstones the loser as well (see RegistryService).
    const records = [
      winner,
      loser,
      softDelete(winner),
      { kind: 'maxId', id: 1 } as LogEntry,
      tombstone(winner),
      tombstone(softDelete(winner)),
      tombstone(loser),
    ];
    const compacted = compact(records.map(encodeEntry), true);
    const replayed = replay(compacted).store;
    expect(replayed.subjectNames(true)).toEqual([]);
    expect(replayed.nextId()).toBe(2);
    for (const entry of records.slice(4)) store.apply(entry);
    expect(store.rejectedEntries()).toEqual([]);
  });

  it('ignores a tombstone or soft delete that does not match the version it names', () => {
    const { store, outcomes } = replay(
      [put('s', 1, 1), tombstone(put('s', 1, 2, schemaB)), softDelete(put('s', 1, 2, schemaB))].map(
        encodeEntry,
      ),
    );
    expect(outcomes).toEqual(['accepted', 'ignored', 'rejected']);
    expect(store.versions('s')).toHaveLength(1);
  });

  it('resolves compatibility: subject level, else global, else BACKWARD', () => {
    const store = new SchemaStore();
    expect(store.effectiveCompatibility('s')).toBe('BACKWARD');
    store.apply({ kind: 'config', subject: null, level: 'FORWARD' });
    expect(store.effectiveCompatibility('s')).toBe('FORWARD');
    store.apply({ kind: 'config', subject: 's', level: 'NONE' });
    expect(store.effectiveCompatibility('s')).toBe('NONE');
    expect(store.subjectCompatibility('t')).toBeUndefined();
    store.apply({ kind: 'config', subject: 's', level: null });
    expect(store.effectiveCompatibility('s')).toBe('FORWARD');
  });

  it('finds a schema in a subject by hash, latest live version first', () => {
    const v1 = put('s', 1, 1);
    const { store } = replay(
      [v1, put('s', 2, 2, schemaB), put('s', 3, 1), softDelete(put('s', 3, 1))].map(encodeEntry),
    );
    expect(store.findInSubject('s', schemaA.hash)?.version).toBe(1);
    expect(store.findInSubject('s', schemaA.hash, true)?.version).toBe(3);
    expect(store.findInSubject('s', schemaC.hash)).toBeUndefined();
  });
});
