import { AvroCodec, SchemaRegistryClient, createSchemaCatalog } from '@troupe/kit';
import { registryUrlFromEnv, uniqueTopic } from './codec-helpers';

/**
 * Reader/writer schema resolution through the registry: a producer and a consumer on different
 * versions of the same event still understand each other when the change is compatible.
 */
const v1 = {
  type: 'record',
  name: 'StockCounted',
  namespace: 'test.evolution',
  fields: [
    { name: 'sku', type: 'string' },
    { name: 'count', type: 'int' },
    { name: 'countedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};
// v2 adds a field with a default: compatible both ways (FULL).
const v2 = {
  ...v1,
  fields: [...v1.fields, { name: 'warehouse', type: 'string', default: 'main' }],
};
// A reader that widened count from int to long: Avro promotes int to long when reading.
const widened = {
  ...v1,
  fields: v1.fields.map((field) =>
    field.name === 'count' ? { name: 'count', type: 'long' } : field,
  ),
};
const EVENT = 'test.evolution.StockCounted';

describe('AvroCodec schema evolution', () => {
  const registry = new SchemaRegistryClient(registryUrlFromEnv());
  const catalogV1 = createSchemaCatalog([{ schema: v1, source: 'v1' }]);
  const catalogV2 = createSchemaCatalog([{ schema: v2, source: 'v2' }]);
  const countedAt = new Date('2026-05-01T08:00:00.000Z');

  it('a v2 reader reads v1 events, filling the added field with its default', async () => {
    const topic = uniqueTopic('evolution-old-writer');
    const writer = new AvroCodec({ registry, catalog: catalogV1 });
    const bytes = await writer.encode(topic, EVENT, { sku: 'A-1', count: 3, countedAt });

    const reader = new AvroCodec({ registry, catalog: catalogV2 });
    const decoded = await reader.decode(topic, EVENT, bytes);
    expect(decoded.payload).toEqual({ sku: 'A-1', count: 3, countedAt, warehouse: 'main' });
    expect(decoded.schemaId).toBe(bytes.readUInt32BE(1));
  });

  it('a v1 reader reads v2 events, ignoring the field it does not know', async () => {
    const topic = uniqueTopic('evolution-new-writer');
    // The subject's history is v1 then v2, as a real rollout would register them.
    await registry.register(`${topic}-${EVENT}`, JSON.stringify(v1));
    const writer = new AvroCodec({ registry, catalog: catalogV2 });
    const bytes = await writer.encode(topic, EVENT, {
      sku: 'B-2',
      count: 7,
      countedAt,
      warehouse: 'north',
    });
    const versions = await registry.latest(`${topic}-${EVENT}`);
    expect(versions?.version).toBe(2);

    const reader = new AvroCodec({ registry, catalog: catalogV1 });
    const decoded = await reader.decode(topic, EVENT, bytes);
    expect(decoded.payload).toEqual({ sku: 'B-2', count: 7, countedAt });
  });

  it('one reader serves events of both versions on the same topic, resolving each writer once', async () => {
    const topic = uniqueTopic('evolution-mixed');
    const old = new AvroCodec({ registry, catalog: catalogV1 });
    const fresh = new AvroCodec({ registry, catalog: catalogV2 });
    const reader = new AvroCodec({ registry, catalog: catalogV2 });
    const messages = [
      await old.encode(topic, EVENT, { sku: 'C', count: 1, countedAt }),
      await fresh.encode(topic, EVENT, { sku: 'C', count: 2, countedAt, warehouse: 'east' }),
      await old.encode(topic, EVENT, { sku: 'C', count: 3, countedAt }),
    ];
    expect(messages[0]!.readUInt32BE(1)).not.toBe(messages[1]!.readUInt32BE(1));
    const decoded = await Promise.all(messages.map((bytes) => reader.decode(topic, EVENT, bytes)));
    expect(decoded.map((event) => event.payload)).toEqual([
      { sku: 'C', count: 1, countedAt, warehouse: 'main' },
      { sku: 'C', count: 2, countedAt, warehouse: 'east' },
      { sku: 'C', count: 3, countedAt, warehouse: 'main' },
    ]);
  });

  it('a reader with a widened field type (int to long) reads events written with int', async () => {
    const topic = uniqueTopic('evolution-promotion');
    const writer = new AvroCodec({ registry, catalog: catalogV1 });
    const bytes = await writer.encode(topic, EVENT, { sku: 'D', count: 2_000_000_000, countedAt });
    const reader = new AvroCodec({ registry, catalog: createSchemaCatalog([{ schema: widened }]) });
    expect((await reader.decode(topic, EVENT, bytes)).payload).toEqual({
      sku: 'D',
      count: 2_000_000_000,
      countedAt,
    });
  });
});
