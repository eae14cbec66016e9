import {
  AvroCodec,
  Headers,
  RegistryError,
  SchemaRegistryClient,
  loadSchemaCatalog,
  type SchemaCatalog,
} from '@troupe/kit';
import { loadTopics, subjectNamer, type TopicSpec } from '@troupe/kit/internal';
import { contractsCatalog, Events, Topics, type ReleaseRequested } from '@troupe/contracts';
import * as path from 'node:path';
import { SCHEMAS_DIR, registryUrlFromEnv, thrownBy, uniqueTopic } from './codec-helpers';

/** Every contract in schemas/ through the real registry and the codec, and back. */
describe('AvroCodec round trip through the schema registry', () => {
  const registry = new SchemaRegistryClient(registryUrlFromEnv());
  let catalog: SchemaCatalog;
  let topics: TopicSpec[];

  beforeAll(async () => {
    catalog = await loadSchemaCatalog(SCHEMAS_DIR);
    topics = await loadTopics(path.join(SCHEMAS_DIR, 'topics.json'), catalog);
  });

  it('encodes and decodes every event type of every topic in topics.json', async () => {
    const producer = new AvroCodec({ registry, catalog });
    let checked = 0;
    for (const topic of topics) {
      const topicName = uniqueTopic(topic.name);
      for (const eventType of topic.eventTypes) {
        const entry = catalog.get(eventType)!;
        // A fresh consumer codec per event: nothing cached, the writer schema comes from the registry by id.
        const consumer = new AvroCodec({ registry: registryUrlFromEnv(), catalog });
        for (let sample = 0; sample < 3; sample++) {
          const payload = entry.type.random();
          const bytes = await producer.encode(topicName, eventType, payload);
          const subject = subjectNamer('topic-record-name')(topicName, eventType);
          const registered = await registry.lookup(subject, entry.schemaText);
          expect(registered).toBeDefined();
          expect(bytes[0]).toBe(0);
          expect(bytes.readUInt32BE(1)).toBe(registered!.id);

          const decoded = await consumer.decode(topicName, eventType, bytes);
          expect(decoded).toEqual({ type: eventType, payload, schemaId: registered!.id });
        }
        checked++;
      }
    }
    expect(checked).toBe(catalog.eventTypes.length);
  });

  it('writes the Confluent wire format: magic byte, id, then the body avsc alone would write', async () => {
    const codec = new AvroCodec({ registry, catalog });
    const payload: ReleaseRequested = {
      releaseId: 'rel-1',
      service: 'checkout',
      version: '2.4.0',
      canaryShare: 0.1,
      requestedBy: 'ci',
      requestedAt: new Date('2026-03-01T12:00:00.000Z'),
    };
    const bytes = await codec.encode(uniqueTopic('wire'), Events.ReleaseRequested, payload);
    const body = catalog.get(Events.ReleaseRequested)!.type.toBuffer(payload);
    expect(bytes.subarray(5)).toEqual(body);
    const decoded = await codec.decode('any', Events.ReleaseRequested, bytes);
    expect((decoded.payload as ReleaseRequested).requestedAt).toBeInstanceOf(Date);
    expect(decoded.payload).toEqual(payload);
  });

  it('selects the reader by ce_type header, else by the writer schema name', async () => {
    const topic = uniqueTopic('select');
    const producer = new AvroCodec({ registry, catalog: contractsCatalog() });
    const payload = {
      releaseId: 'r',
      service: 's',
      version: '2',
      previousVersion: '1',
      promotedAt: new Date(5),
    };
    const bytes = await producer.encode(topic, Events.Promoted, payload);
    const consumer = new AvroCodec({ registry, catalog: contractsCatalog() });
    const byHeader = await consumer.decode(topic, undefined, bytes, {
      [Headers.type]: Buffer.from(Events.Promoted),
    });
    expect(byHeader.type).toBe(Events.Promoted);
    const byWriter = await consumer.decode(topic, undefined, bytes);
    expect(byWriter).toEqual(byHeader);
  });

  it('registers once per subject even when many first encodes race', async () => {
    const topic = uniqueTopic('race');
    const codec = new AvroCodec({ registry, catalog });
    const payload = catalog.get(Events.AlertRaised)!.type.random();
    const all = await Promise.all(
      Array.from({ length: 50 }, () => codec.encode(topic, Events.AlertRaised, payload)),
    );
    expect(new Set(all.map((bytes) => bytes.readUInt32BE(1))).size).toBe(1);
    const versions = await fetch(
      `${registry.url}/subjects/${encodeURIComponent(`${topic}-${Events.AlertRaised}`)}/versions`,
    );
    expect(await versions.json()).toEqual([1]);
  });

  it('with autoRegister off, only looks schemas up and says how to register them', async () => {
    const topic = uniqueTopic('lookup');
    const codec = new AvroCodec({ registry, catalog, autoRegister: false });
    const payload = catalog.get(Events.TestsPassed)!.type.random();
    const error = await thrownBy(() => codec.encode(topic, Events.TestsPassed, payload));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toContain(
      `subject "${topic}-${Events.TestsPassed}" has no version matching`,
    );
    expect(error.message).toContain('troupe schemas register');

    const id = await registry.register(
      `${topic}-${Events.TestsPassed}`,
      catalog.get(Events.TestsPassed)!.schemaText,
    );
    const bytes = await codec.encode(topic, Events.TestsPassed, payload);
    expect(bytes.readUInt32BE(1)).toBe(id);
  });

  it('honours the other subject strategies', async () => {
    const topic = uniqueTopic('strategy');
    const byTopic = new AvroCodec({ registry, catalog, subjectStrategy: 'topic-name' });
    const payload = catalog.get(Events.RequestSamples)!.type.random();
    const bytes = await byTopic.encode(topic, Events.RequestSamples, payload);
    const registered = await registry.latest(`${topic}-value`);
    expect(registered?.id).toBe(bytes.readUInt32BE(1));
    expect(Topics.telemetrySamples).toBe('telemetry.samples');
  });

  it('under topic-name, gives each event type on one topic its own schema id', async () => {
    const topic = uniqueTopic('strategy-two-types');
    // One subject for two unrelated records: only possible with compatibility NONE.
    const config = await fetch(`${registry.url}/config/${encodeURIComponent(`${topic}-value`)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ compatibility: 'NONE' }),
    });
    expect(config.status).toBe(200);
    const producer = new AvroCodec({ registry, catalog, subjectStrategy: 'topic-name' });
    const consumer = new AvroCodec({ registry: registryUrlFromEnv(), catalog });
    for (const eventType of [Events.TestsPassed, Events.TestsFailed, Events.TestsPassed]) {
      const payload = catalog.get(eventType)!.type.random();
      const bytes = await producer.encode(topic, eventType, payload);
      const registered = await registry.lookup(
        `${topic}-value`,
        catalog.get(eventType)!.schemaText,
      );
      expect(bytes.readUInt32BE(1)).toBe(registered!.id);
      expect(await consumer.decode(topic, eventType, bytes)).toMatchObject({
        type: eventType,
        payload,
      });
    }
  });
});
