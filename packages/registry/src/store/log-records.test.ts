import { decodeEntry, encodeEntry, type LogEntry } from './log-records';

const key = { subject: 'orders-value', version: 3, id: 7, hash: 'ab'.repeat(32) };

describe('log records', () => {
  const entries: LogEntry[] = [
    { kind: 'schema', key, schema: '"string"' },
    { kind: 'schema', key, schema: null },
    { kind: 'deleted', key, tombstone: false },
    { kind: 'deleted', key, tombstone: true },
    { kind: 'config', subject: null, level: 'FULL' },
    { kind: 'config', subject: 'orders-value', level: 'NONE' },
    { kind: 'config', subject: 'orders-value', level: null },
    { kind: 'maxId', id: 12 },
  ];

  it.each(entries.map((e) => [JSON.stringify(e), e]))('round-trips %s', (_, entry) => {
    const record = encodeEntry(entry);
    expect(decodeEntry(record.key, record.value)).toEqual(entry);
  });

  it('gives a version and its soft delete different keys, and equal records equal keys', () => {
    const put = encodeEntry({ kind: 'schema', key, schema: '"string"' });
    expect(encodeEntry({ kind: 'deleted', key, tombstone: false }).key).not.toBe(put.key);
    expect(encodeEntry({ kind: 'schema', key: { ...key }, schema: null }).key).toBe(put.key);
    expect(
      encodeEntry({ kind: 'schema', key: { ...key, id: 8 }, schema: '"string"' }).key,
    ).not.toBe(put.key);
  });

  it('refuses records that are not ours, saying why', () => {
    expect(decodeEntry(null, '{}')).toEqual({ invalid: 'record has no key' });
    expect(decodeEntry('nope', null)).toEqual({
      invalid: expect.stringContaining('key is not a JSON object'),
    });
    expect(decodeEntry('{"keytype":"NOOP"}', null)).toEqual({ invalid: 'unknown keytype "NOOP"' });
    expect(
      decodeEntry('{"keytype":"SCHEMA","subject":"s","version":0,"id":1,"hash":"h"}', null),
    ).toEqual({
      invalid: expect.stringContaining('malformed SCHEMA key'),
    });
    expect(
      decodeEntry('{"keytype":"CONFIG","subject":null}', '{"compatibilityLevel":"SIDEWAYS"}'),
    ).toEqual({
      invalid: expect.stringContaining('unknown compatibility level'),
    });
    expect(
      decodeEntry('{"keytype":"SCHEMA","subject":"s","version":1,"id":1,"hash":"h"}', '[1]'),
    ).toEqual({
      invalid: expect.stringContaining('value is not a JSON object'),
    });
  });
});
