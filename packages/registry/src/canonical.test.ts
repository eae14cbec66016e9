import { parseAvroSchema } from './avro-schema';
import { canonicalSchema } from './canonical';

const canonical = (schema: unknown): string => canonicalSchema(schema);

describe('canonicalSchema', () => {
  it('ignores whitespace and key order', () => {
    const a = '{"type":"record","name":"A","fields":[{"name":"x","type":"int"}]}';
    const b = `{
      "fields": [ { "type": "int", "name": "x" } ],
      "name": "A",
      "type": "record"
    }`;
    expect(parseAvroSchema(a).canonical).toBe(parseAvroSchema(b).canonical);
    expect(parseAvroSchema(a).hash).toBe(parseAvroSchema(b).hash);
  });

  it('writes full names, whichever way the namespace was given', () => {
    const fields = [{ name: 'x', type: 'int' }];
    const viaNamespace = canonical({ type: 'record', name: 'A', namespace: 'com.acme', fields });
    const viaDottedName = canonical({ type: 'record', name: 'com.acme.A', fields });
    expect(viaNamespace).toBe(viaDottedName);
    expect(viaNamespace).toBe(
      '{"type":"record","name":"com.acme.A","fields":[{"name":"x","type":"int"}]}',
    );
  });

  it('qualifies nested types and references with the enclosing namespace', () => {
    const schema = {
      type: 'record',
      name: 'Order',
      namespace: 'shop',
      fields: [
        { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID'] } },
        { name: 'previous', type: ['null', 'Status'], default: null },
        {
          name: 'other',
          type: { type: 'enum', name: 'Kind', namespace: 'elsewhere', symbols: ['A'] },
        },
        { name: 'again', type: 'elsewhere.Kind' },
      ],
    };
    expect(() => parseAvroSchema(JSON.stringify(schema))).not.toThrow();
    expect(JSON.parse(canonical(schema))).toEqual({
      type: 'record',
      name: 'shop.Order',
      fields: [
        { name: 'status', type: { type: 'enum', name: 'shop.Status', symbols: ['NEW', 'PAID'] } },
        { name: 'previous', type: ['null', 'shop.Status'], default: null },
        { name: 'other', type: { type: 'enum', name: 'elsewhere.Kind', symbols: ['A'] } },
        { name: 'again', type: 'elsewhere.Kind' },
      ],
    });
  });

  it('spells out an empty namespace nested inside a namespaced type', () => {
    const schema = {
      type: 'record',
      name: 'Outer',
      namespace: 'ns',
      fields: [{ name: 'inner', type: { type: 'fixed', name: 'Hash', namespace: '', size: 4 } }],
    };
    expect(JSON.parse(canonical(schema)).fields[0].type).toEqual({
      type: 'fixed',
      name: 'Hash',
      namespace: '',
      size: 4,
    });
    expect(() => parseAvroSchema(canonical(schema))).not.toThrow();
  });

  it('keeps what changes meaning: defaults, aliases, order, doc, logical types', () => {
    const base = { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] };
    const variants = [
      { ...base, fields: [{ name: 'x', type: 'int', default: 1 }] },
      { ...base, fields: [{ name: 'x', type: 'int', default: 2 }] },
      { ...base, fields: [{ name: 'x', type: 'int', aliases: ['y'] }] },
      { ...base, fields: [{ name: 'x', type: 'int', order: 'descending' }] },
      { ...base, doc: 'an A' },
      { ...base, fields: [{ name: 'x', type: { type: 'int', logicalType: 'date' } }] },
    ];
    const texts = new Set([base, ...variants].map(canonical));
    expect(texts.size).toBe(variants.length + 1);
  });

  it('drops what does not: the default order and a primitive wrapped in an object', () => {
    const plain = { type: 'record', name: 'A', fields: [{ name: 'x', type: 'int' }] };
    const wrapped = {
      type: 'record',
      name: 'A',
      fields: [{ name: 'x', type: { type: 'int' }, order: 'ascending' }],
    };
    expect(canonical(wrapped)).toBe(canonical(plain));
    expect(canonical({ type: 'string' })).toBe('"string"');
  });

  it('orders keys inside default values', () => {
    const withDefault = (value: object): object => ({
      type: 'record',
      name: 'A',
      fields: [{ name: 'm', type: { type: 'map', values: 'int' }, default: value }],
    });
    expect(canonical(withDefault({ b: 1, a: 2 }))).toBe(canonical(withDefault({ a: 2, b: 1 })));
  });

  it('produces a schema that parses to the same canonical text again', () => {
    const schema = JSON.stringify({
      type: 'record',
      name: 'T',
      namespace: 'n',
      fields: [
        {
          name: 'a',
          type: {
            type: 'array',
            items: { type: 'record', name: 'I', fields: [{ name: 'v', type: 'long' }] },
          },
        },
        { name: 'b', type: { type: 'map', values: 'I' } },
        { name: 'c', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
      ],
    });
    const once = parseAvroSchema(schema).canonical;
    expect(parseAvroSchema(once).canonical).toBe(once);
  });
});

describe('parseAvroSchema', () => {
  it('rejects text that is not JSON, with 42201', () => {
    expect(() => parseAvroSchema('{not json')).toThrow(
      expect.objectContaining({ errorCode: 42201, status: 422 }),
    );
  });

  it('rejects JSON that is not an Avro schema, with the reason', () => {
    expect(() =>
      parseAvroSchema('{"type":"record","name":"A","fields":[{"name":"x","type":"nope"}]}'),
    ).toThrow(
      expect.objectContaining({ errorCode: 42201, message: expect.stringContaining('nope') }),
    );
  });

  it('rejects a missing or non-string schema', () => {
    expect(() => parseAvroSchema(undefined)).toThrow(expect.objectContaining({ errorCode: 42201 }));
    expect(() => parseAvroSchema({ type: 'int' })).toThrow(
      expect.objectContaining({ errorCode: 42201 }),
    );
  });

  it('rejects a default that does not match its field type', () => {
    expect(() =>
      parseAvroSchema(
        '{"type":"record","name":"A","fields":[{"name":"x","type":"int","default":"one"}]}',
      ),
    ).toThrow(expect.objectContaining({ errorCode: 42201 }));
  });
});
