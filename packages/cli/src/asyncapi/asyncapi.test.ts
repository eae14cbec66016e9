import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { AvroSchemaParser } from '@asyncapi/avro-schema-parser';
import { DiagnosticSeverity, Parser, type AsyncAPIDocumentInterface } from '@asyncapi/parser';
import type { SystemCatalog } from '@troupe/kit/internal';
import { loadCatalog } from '../catalog/load-catalog';
import type { CliContext } from '../context';
import { run } from '../program';
import type { JsonObject } from './json';
import { renderDocument } from './render';
import { asyncApiDocument } from './write-asyncapi';

const REPO = path.resolve(__dirname, '../../../..');

function capture(env: Record<string, string | undefined> = {}, cwd = REPO) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    cwd,
  };
  return { context, out, err };
}

const avro = AvroSchemaParser();
const parser = new Parser();
parser.registerSchemaParser(avro);

/** Parses with the official parser; fails the test on any diagnostic of severity error or warning. */
async function parseStrictly(text: string): Promise<AsyncAPIDocumentInterface> {
  const { document, diagnostics } = await parser.parse(text);
  const serious = diagnostics
    .filter(
      (d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning,
    )
    .map((d) => `${d.code} at ${d.path.join('.')}: ${d.message}`);
  expect(serious).toEqual([]);
  expect(document).toBeDefined();
  return document!;
}

const SETTINGS = {
  'with brokers and a registry': {
    TROUPE_KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
    TROUPE_SCHEMA_REGISTRY_URL: 'http://registry:8081',
  },
  'with neither': {},
};

let catalog: SystemCatalog;
beforeAll(async () => {
  catalog = await loadCatalog(undefined, capture().context);
});

describe.each(Object.entries(SETTINGS))('troupe asyncapi %s', (_label, env) => {
  let raw: JsonObject;
  let document: AsyncAPIDocumentInterface;
  beforeAll(async () => {
    raw = await asyncApiDocument({}, capture(env).context);
    document = await parseStrictly(renderDocument(raw, 'yaml'));
  });

  it('is valid AsyncAPI 3.0.0 in JSON too, and the same document twice', async () => {
    const json = renderDocument(raw, 'json');
    await parseStrictly(json);
    expect(JSON.parse(json)).toEqual(raw);
    expect(renderDocument(await asyncApiDocument({}, capture(env).context), 'yaml')).toBe(
      renderDocument(raw, 'yaml'),
    );
  });

  it('has a channel per topic carrying the event types topics.json lists, with its Kafka settings', () => {
    for (const topic of catalog.topics) {
      const channel = document.channels().get(topic.name);
      expect(channel?.address()).toBe(topic.name);
      const names = channel!
        .messages()
        .all()
        .map((m) => m.name());
      expect(names.sort()).toEqual([...topic.eventTypes].sort());
      const binding = channel!.bindings().get('kafka')!.value() as JsonObject;
      expect(binding.partitions).toBe(topic.partitions);
      expect(binding.topicConfiguration).toEqual({
        'cleanup.policy': [topic.config['cleanup.policy']],
        'retention.ms': Number(topic.config['retention.ms']),
      });
    }
  });

  it('has the retry and dead-letter topics of every subscribed topic as channels', () => {
    for (const service of catalog.services)
      for (const failure of service.failureTopics)
        for (const name of [...failure.retry, failure.deadLetter]) {
          const handled = service.consumes
            .filter((c) => c.topics.includes(failure.topic))
            .map((c) => c.eventType);
          const names = document
            .channels()
            .get(name)
            ?.messages()
            .all()
            .map((m) => m.name());
          expect(names).toEqual(expect.arrayContaining(handled));
        }
  });

  it('receives each type a service handles, on its topic, in the service’s consumer group', () => {
    for (const service of catalog.services)
      for (const consumed of service.consumes)
        for (const topic of consumed.topics) {
          const matching = operationsOf(service.name, 'receive', topic, consumed.eventType);
          expect(matching).toHaveLength(1);
          const binding = matching[0]!.bindings().get('kafka')!.value() as {
            groupId: { const: string };
          };
          expect(binding.groupId.const).toBe(service.groups[0]);
          expect(service.groups[0]).toBe(service.name);
        }
  });

  it('sends each type a service publishes, saying whether from a handler or a publisher', () => {
    for (const service of catalog.services)
      for (const published of service.publishes) {
        const matching = operationsOf(service.name, 'send', published.topic, published.eventType);
        expect(matching).toHaveLength(1);
        expect(matching[0]!.description()).toContain(
          published.path === 'handler' ? 'from a handler' : 'outside the handlers',
        );
      }
  });

  it('retries in the service’s retry group and dead-letters on the failure topics', () => {
    for (const service of catalog.services)
      for (const failure of service.failureTopics) {
        for (const retry of failure.retry) {
          const [receive] = operationsOf(service.name, 'receive', retry);
          const binding = receive!.bindings().get('kafka')!.value() as {
            groupId: { const: string };
          };
          expect(binding.groupId.const).toBe(`${service.name}.retry`);
          expect(operationsOf(service.name, 'send', retry)).toHaveLength(1);
        }
        expect(operationsOf(service.name, 'send', failure.deadLetter)).toHaveLength(1);
      }
  });

  // The parser converts Avro payloads of a 3.0.0 document but runs no schema parser's validate()
  // on them (it does for 2.x only: asyncapi/cli#1813), so the test calls it.
  it('holds Avro schemas the official Avro schema parser accepts', async () => {
    const schemas = (raw.components as { schemas: Record<string, JsonObject> }).schemas;
    for (const [name, schema] of Object.entries(schemas)) {
      if (schema.schemaFormat === undefined) continue;
      const problems = await avro.validate({
        asyncapi: undefined as never,
        data: schema.schema,
        meta: {},
        path: ['components', 'schemas', name, 'schema'],
        schemaFormat: schema.schemaFormat as string,
        defaultSchemaFormat: 'application/vnd.aai.asyncapi;version=3.0.0',
      });
      expect([name, problems]).toEqual([name, []]);
    }
  });

  it('gives every message its .avsc as written, as Avro 1.9.0, and the CloudEvents headers', () => {
    const schemas = (raw.components as { schemas: JsonObject }).schemas;
    const channels = raw.channels as Record<string, { messages: Record<string, JsonObject> }>;
    let count = 0;
    for (const [channel, { messages }] of Object.entries(channels))
      for (const [type, message] of Object.entries(messages)) {
        const event = catalog.events.find((e) => e.type === type)!;
        const ref = (message.payload as { $ref: string }).$ref;
        const payload = schemas[ref.replace('#/components/schemas/', '')] as JsonObject;
        expect(payload.schemaFormat).toBe('application/vnd.apache.avro+json;version=1.9.0');
        expect(payload.schema).toEqual(
          JSON.parse(readFileSync(path.join(REPO, event.file), 'utf8')),
        );
        const parsed = document.channels().get(channel)!.messages().get(type)!;
        expect(parsed.schemaFormat()).toBe('application/vnd.apache.avro+json;version=1.9.0');
        expect(parsed.headers()?.allOf()?.[0]?.required()).toEqual(
          expect.arrayContaining(['ce_id', 'ce_type', 'ce_source', 'ce_time', 'traceparent']),
        );
        count++;
      }
    expect(count).toBeGreaterThan(catalog.events.length);
  });

  function operationsOf(service: string, action: string, channel: string, type?: string) {
    return document
      .operations()
      .all()
      .filter(
        (op) =>
          op.action() === action &&
          op
            .tags()
            .all()
            .some((t) => t.name() === service) &&
          op
            .channels()
            .all()
            .some((c) => c.address() === channel) &&
          (type === undefined ||
            op
              .messages()
              .all()
              .some((m) => m.name() === type)),
      );
  }
});

describe('troupe asyncapi bindings', () => {
  it('names the registry, brokers and Confluent lookup strategy only when given', async () => {
    const given = await asyncApiDocument(
      { registry: 'http://registry:8081', brokers: 'b1:9092', subjectStrategy: 'record-name' },
      capture().context,
    );
    const server = (given.servers as Record<string, JsonObject>).kafka!;
    expect(server.host).toBe('b1:9092');
    expect(server.bindings).toEqual({
      kafka: {
        schemaRegistryUrl: 'http://registry:8081',
        schemaRegistryVendor: 'confluent',
        bindingVersion: '0.5.0',
      },
    });
    const channels = given.channels as Record<string, { messages: Record<string, JsonObject> }>;
    const promoted = channels['releases.events']!.messages['troupe.releases.Promoted']!;
    expect((promoted.bindings as { kafka: JsonObject }).kafka).toMatchObject({
      key: { type: 'string' },
      schemaIdLocation: 'payload',
      schemaIdPayloadEncoding: 'confluent',
      schemaLookupStrategy: 'io.confluent.kafka.serializers.subject.RecordNameStrategy',
    });
    const retried = channels['releases.events.retry.1']!.messages['troupe.releases.Promoted']!;
    expect((retried.bindings as { kafka: JsonObject }).kafka.schemaLookupStrategy).toBeUndefined();

    const bare = await asyncApiDocument({}, capture().context);
    const bareServer = (bare.servers as Record<string, JsonObject>).kafka!;
    expect(bareServer.host).toBe('{broker}');
    expect(bareServer.bindings).toEqual({ kafka: { bindingVersion: '0.5.0' } });
  });
});

describe('troupe asyncapi command', () => {
  it('rejects an unknown --format in one line listing the accepted ones', async () => {
    const { context, out, err } = capture();
    expect(await run(['asyncapi', '--format', 'xml'], context)).toBe(1);
    expect(err).toEqual(['troupe: --format: expected yaml | json, found "xml"']);
    expect(out).toEqual([]);
  });

  it('prints YAML by default and writes --out', async () => {
    const printed = capture();
    expect(await run(['asyncapi'], printed.context)).toBe(0);
    expect(printed.out.join('\n')).toMatch(/^asyncapi: 3\.0\.0\n/);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'troupe-asyncapi-'));
    try {
      const file = path.join(dir, 'docs', 'asyncapi.json');
      const written = capture();
      expect(await run(['asyncapi', '--format', 'json', '--out', file], written.context)).toBe(0);
      expect(written.out).toEqual([
        expect.stringMatching(/^wrote .*asyncapi\.json: \d+ channels, \d+ operations$/),
      ]);
      expect(JSON.parse(await readFile(file, 'utf8')).asyncapi).toBe('3.0.0');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
