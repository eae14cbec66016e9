import { parseAvroType } from './logical-types';

describe('timestamp-millis as Date', () => {
  const logical = parseAvroType({
    type: 'record',
    name: 'T',
    fields: [{ name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }],
  });
  const plain = parseAvroType({
    type: 'record',
    name: 'T',
    fields: [{ name: 'at', type: 'long' }],
  });

  it('encodes a Date as its milliseconds and decodes it back to an equal Date', () => {
    const at = new Date('2026-01-02T03:04:05.678Z');
    const bytes = logical.toBuffer({ at });
    expect(plain.fromBuffer(bytes)).toEqual({ at: at.getTime() });
    const back = logical.fromBuffer(bytes) as { at: Date };
    expect(back.at).toBeInstanceOf(Date);
    expect(back.at.toISOString()).toBe(at.toISOString());
  });

  it('refuses numbers, strings and invalid Dates', () => {
    expect(logical.isValid({ at: 1 })).toBe(false);
    expect(logical.isValid({ at: '2026-01-01' })).toBe(false);
    expect(logical.isValid({ at: new Date(Number.NaN) })).toBe(false);
  });

  it('reads a plain long written by an older schema as a Date', () => {
    const resolver = logical.createResolver(plain);
    const back = logical.fromBuffer(plain.toBuffer({ at: 86_400_000 }), resolver) as { at: Date };
    expect(back.at.toISOString()).toBe('1970-01-02T00:00:00.000Z');
  });
});
