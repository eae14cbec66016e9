import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { RawAvroSchema } from '@kafkajs/confluent-schema-registry/dist/@types';
import type { RunningRegistry } from '@troupe/registry';
import { api, recordSchema, RegistryFixture, uniqueTopic } from './support';

/** The registry through the client Troupe's codec uses: @kafkajs/confluent-schema-registry. */
describe('registry through @kafkajs/confluent-schema-registry', () => {
  const fixture = new RegistryFixture();
  let registry: RunningRegistry;
  let client: SchemaRegistry;

  const orderV1 = recordSchema('Order', [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'int' },
  ]);
  const orderV2 = recordSchema('Order', [
    { name: 'id', type: 'string' },
    { name: 'amount', type: 'long' },
    { name: 'currency', type: 'string', default: 'EUR' },
  ]);

  beforeAll(async () => {
    registry = await fixture.start(uniqueTopic('client'));
    client = new SchemaRegistry({ host: registry.url });
  });
  afterAll(() => fixture.cleanUp());

  it('registers, encodes and decodes in the Confluent wire format', async () => {
    const { id } = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderV1) },
      { subject: 'orders-value' },
    );
    expect(id).toBeGreaterThan(0);
    expect(await client.getLatestSchemaId('orders-value')).toBe(id);

    const encoded = await client.encode(id, { id: 'o-1', amount: 42 });
    expect(encoded[0]).toBe(0); // magic byte
    expect(encoded.readInt32BE(1)).toBe(id);

    // A fresh client has no cache: decode must fetch the writer schema by id from the registry.
    const fresh = new SchemaRegistry({ host: registry.url });
    expect(await fresh.decode(encoded)).toEqual({ id: 'o-1', amount: 42 });
  });

  it('returns the same id for the same schema, and shares it across subjects', async () => {
    const first = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderV1) },
      { subject: 'orders-value' },
    );
    // Same schema, different whitespace and key order: the same schema.
    const respelled = JSON.stringify(
      {
        fields: (orderV1 as { fields: object[] }).fields,
        namespace: 'troupe.test',
        name: 'Order',
        type: 'record',
      },
      null,
      2,
    );
    const again = await client.register(
      { type: SchemaType.AVRO, schema: respelled },
      { subject: 'orders-value' },
    );
    const elsewhere = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderV1) },
      { subject: 'archive-value' },
    );
    expect(again.id).toBe(first.id);
    expect(elsewhere.id).toBe(first.id);
    expect((await api(registry.url).get('/subjects/orders-value/versions')).body).toEqual([1]);
  });

  it('evolves a subject and decodes old data with the new reader schema', async () => {
    const v1 = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderV1) },
      { subject: 'evolving-value' },
    );
    const old = await client.encode(v1.id, { id: 'o-2', amount: 7 });
    const v2 = await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderV2) },
      { subject: 'evolving-value' },
    );
    expect(v2.id).not.toBe(v1.id);
    expect(await client.getLatestSchemaId('evolving-value')).toBe(v2.id);

    const decoded = await new SchemaRegistry({ host: registry.url }).decode(old, {
      [SchemaType.AVRO]: { readerSchema: orderV2 as RawAvroSchema },
    });
    expect(decoded).toEqual({ id: 'o-2', amount: 7, currency: 'EUR' });
  });

  it('reports an incompatible schema as an error the client surfaces', async () => {
    await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderV1) },
      { subject: 'strict-value' },
    );
    const breaking = recordSchema('Order', [
      { name: 'id', type: 'string' },
      { name: 'amount', type: 'int' },
      { name: 'customer', type: 'string' }, // no default: v2 cannot read v1 data
    ]);
    await expect(
      client.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(breaking) },
        { subject: 'strict-value' },
      ),
    ).rejects.toThrow(/incompatible/);
  });

  it('sets the subject compatibility the client asks for on first registration', async () => {
    await client.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(orderV1) },
      { subject: 'forward-value', compatibility: COMPATIBILITY.FORWARD },
    );
    expect((await api(registry.url).get('/config/forward-value')).body).toEqual({
      compatibilityLevel: 'FORWARD',
    });
  });
});
