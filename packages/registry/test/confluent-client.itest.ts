import {
  AvroDeserializer,
  AvroSerializer,
  Compatibility,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import type { RunningRegistry } from '@troupe/registry';
import { api, recordSchema, RegistryFixture, uniqueTopic } from './support';

/**
 * The registry through Confluent's own JS client (`@confluentinc/schemaregistry`), which nobody
 * here wrote. It sends `Content-Type: application/vnd.schemaregistry.v1+json` on every request,
 * bodiless DELETEs included: those must be answered like any other.
 */
describe("registry through Confluent's @confluentinc/schemaregistry", () => {
  const fixture = new RegistryFixture();
  let registry: RunningRegistry;
  let client: SchemaRegistryClient;

  const v1 = recordSchema('Shipment', [
    { name: 'id', type: 'string' },
    { name: 'weight', type: 'int' },
  ]);
  const v2 = recordSchema('Shipment', [
    { name: 'id', type: 'string' },
    { name: 'weight', type: 'int' },
    { name: 'carrier', type: 'string', default: 'post' },
  ]);
  const avro = (schema: object) => ({ schemaType: 'AVRO', schema: JSON.stringify(schema) });
  /** A client without caches, so every answer below is the registry's, not a remembered one. */
  const freshClient = () => new SchemaRegistryClient({ baseURLs: [registry.url], maxRetries: 0 });

  beforeAll(async () => {
    registry = await fixture.start(uniqueTopic('confluent-client'));
    client = freshClient();
  });
  afterAll(async () => {
    client.close();
    await fixture.cleanUp();
  });

  it('registers two compatible versions, looks them up, and tests compatibility', async () => {
    const subject = 'shipments-value';
    const id1 = await client.register(subject, avro(v1));
    const id2 = await client.register(subject, avro(v2));
    expect(id2).not.toBe(id1);
    expect(await client.register(subject, avro(v1))).toBe(id1); // the same schema, the same id

    const reader = freshClient();
    // Stored in canonical form (full name, no namespace key): the same schema as v1.
    expect(JSON.parse((await reader.getBySubjectAndId(subject, id1)).schema)).toMatchObject({
      name: 'troupe.test.Shipment',
      fields: (v1 as { fields: object[] }).fields,
    });
    expect(await reader.getAllVersions(subject)).toEqual([1, 2]);
    expect(await reader.getLatestSchemaMetadata(subject)).toMatchObject({ id: id2, version: 2 });
    expect(await reader.getSchemaMetadata(subject, 1)).toMatchObject({ id: id1, version: 1 });
    expect(await reader.getId(subject, avro(v2))).toBe(id2);

    const breaking = recordSchema('Shipment', [
      { name: 'id', type: 'string' },
      { name: 'weight', type: 'int' },
      { name: 'customs', type: 'string' }, // no default: old data cannot be read
    ]);
    expect(await reader.testSubjectCompatibility(subject, avro(v2))).toBe(true);
    expect(await reader.testSubjectCompatibility(subject, avro(breaking))).toBe(false);
    reader.close();
  });

  it('sets, reads and deletes a subject config', async () => {
    const subject = 'config-value';
    await client.register(subject, avro(v1));
    await client.updateConfig(subject, { compatibility: Compatibility.FULL });
    expect(await freshClient().getConfig(subject)).toMatchObject({
      compatibilityLevel: Compatibility.FULL,
    });
    // The client has no call for DELETE /config/{subject}: sent the way it sends every request.
    const deleted = await fetch(`${registry.url}/config/${subject}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    });
    expect(deleted.status).toBe(200);
    expect(await api(registry.url).get(`/config/${subject}`)).toMatchObject({ status: 404 });
  });

  it('deletes a version soft, then permanently, and a whole subject soft, then permanently', async () => {
    const subject = 'deleted-value';
    await client.register(subject, avro(v1));
    await client.register(subject, avro(v2));

    expect(await client.deleteSubjectVersion(subject, 1)).toBe(1);
    expect(await freshClient().getAllVersions(subject)).toEqual([2]);
    expect(await client.deleteSubjectVersion(subject, 1, true)).toBe(1);
    expect(await api(registry.url).get(`/subjects/${subject}/versions?deleted=true`)).toMatchObject(
      {
        status: 200,
        body: [2],
      },
    );

    expect(await client.deleteSubject(subject)).toEqual([2]);
    expect(await freshClient().getAllSubjects()).not.toContain(subject);
    expect(await client.deleteSubject(subject, true)).toEqual([2]);
    expect(await api(registry.url).get(`/subjects?deleted=true`)).toMatchObject({ status: 200 });
    expect((await api(registry.url).get<string[]>(`/subjects?deleted=true`)).body).not.toContain(
      subject,
    );
  });

  it("serializes with Confluent's AvroSerializer and deserializes with its AvroDeserializer", async () => {
    const topic = 'parcels';
    // Confluent's default subject strategy is topic-name: `parcels-value`.
    await client.register(`${topic}-value`, avro(v1));
    const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true });
    const bytes = await serializer.serialize(topic, { id: 'p-1', weight: 3 });
    expect(bytes[0]).toBe(0); // magic byte
    const id = bytes.readInt32BE(1);
    expect(await freshClient().getId(`${topic}-value`, avro(v1))).toBe(id);

    const reader = freshClient();
    const deserializer = new AvroDeserializer(reader, SerdeType.VALUE, {});
    expect(await deserializer.deserialize(topic, bytes)).toEqual({ id: 'p-1', weight: 3 });
    reader.close();
  });
});
