/**
 * The registry as a secured server: HTTPS with a private CA's certificate and HTTP basic
 * authentication from a users file in Confluent's format, over real connections — raw HTTP for
 * the status codes and bodies, and @kafkajs/confluent-schema-registry, which nobody here wrote,
 * with its `auth` option and an https agent trusting the CA.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { makeStackCertificates, type StackCertificates } from '@troupe/devstack';
import type { RegistryUser, RunningRegistry } from '@troupe/registry';
import { Agent } from 'undici';
import { endOffset, recordSchema, RegistryFixture, uniqueTopic } from './support';

jest.setTimeout(60_000);

const writer: RegistryUser = {
  username: 'writer',
  password: randomBytes(12).toString('base64url'),
  role: 'read-write',
};
const reader: RegistryUser = {
  username: 'reader',
  password: randomBytes(12).toString('base64url'),
  role: 'read-only',
};
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

describe('registry with basic authentication over HTTPS', () => {
  const fixture = new RegistryFixture();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'registry-secured-'));
  let certificates: StackCertificates;
  let ca: string;
  let dispatcher: Agent;
  let registry: RunningRegistry;
  let topic: string;

  /** One request with the CA trusted; `as` gives basic credentials. */
  const call = async (
    method: string,
    route: string,
    options: { as?: { username: string; password: string }; body?: unknown } = {},
  ) => {
    const headers: Record<string, string> = { accept: CONTENT_TYPE };
    if (options.body !== undefined) headers['content-type'] = CONTENT_TYPE;
    if (options.as)
      headers.authorization = `Basic ${Buffer.from(`${options.as.username}:${options.as.password}`).toString('base64')}`;
    const response = await fetch(`${registry.url}${route}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: AbortSignal.timeout(15_000),
      ...({ dispatcher } as unknown as RequestInit),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: (text === '' ? undefined : JSON.parse(text)) as Record<string, unknown>,
      authenticate: response.headers.get('www-authenticate'),
    };
  };
  const schema = (fields: object[]) => ({
    schema: JSON.stringify(recordSchema('Parcel', fields)),
  });
  const v1 = schema([{ name: 'id', type: 'string' }]);
  const v2 = schema([
    { name: 'id', type: 'string' },
    { name: 'size', type: 'int', default: 0 },
  ]);

  beforeAll(async () => {
    certificates = await makeStackCertificates(path.join(dir, 'certificates'));
    ca = readFileSync(certificates.caFile, 'utf8');
    dispatcher = new Agent({ connect: { ca } });
    topic = uniqueTopic('secured');
    registry = await fixture.start(topic, {
      users: [writer, reader],
      tls: {
        cert: readFileSync(certificates.serverCertFile, 'utf8'),
        key: readFileSync(certificates.serverKeyFile, 'utf8'),
      },
    });
    expect(registry.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(
      (await call('POST', '/subjects/parcels-value/versions', { as: writer, body: v1 })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    await dispatcher?.close();
    await fixture.cleanUp();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 401 with a Basic challenge to no, wrong or unknown credentials', async () => {
    for (const as of [
      undefined,
      { username: writer.username, password: `${writer.password}x` },
      { username: writer.username, password: '' },
      { username: 'nobody', password: reader.password },
    ]) {
      for (const [method, route] of [
        ['GET', '/subjects'],
        ['POST', '/subjects/parcels-value/versions'],
        ['GET', '/no/such/route'],
      ] as const) {
        const answer = await call(method, route, {
          ...(as ? { as } : {}),
          body: route.includes('versions') ? v2 : undefined,
        });
        expect(answer.status).toBe(401);
        expect(answer.authenticate).toBe('Basic realm="troupe-registry"');
        expect(answer.body).toEqual({ error_code: 40101, message: expect.any(String) });
        expect(JSON.stringify(answer.body)).not.toContain(writer.password);
      }
    }
  });

  it('lets a read-only user read everything, the looking POSTs included', async () => {
    const as = reader;
    expect((await call('GET', '/subjects', { as })).body).toEqual(['parcels-value']);
    expect((await call('GET', '/subjects/parcels-value/versions', { as })).body).toEqual([1]);
    expect(
      (await call('GET', '/subjects/parcels-value/versions/latest', { as })).body,
    ).toMatchObject({ version: 1 });
    const lookup = await call('POST', '/subjects/parcels-value', { as, body: v1 });
    expect(lookup).toMatchObject({ status: 200, body: { version: 1 } });
    const id = lookup.body.id as number;
    expect((await call('GET', `/schemas/ids/${id}`, { as })).status).toBe(200);
    expect((await call('GET', '/config', { as })).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect(
      (
        await call('POST', '/compatibility/subjects/parcels-value/versions/latest', {
          as,
          body: v2,
        })
      ).body,
    ).toEqual({ is_compatible: true });
    expect(
      (await call('POST', '/compatibility/subjects/parcels-value/versions', { as, body: v2 })).body,
    ).toEqual({ is_compatible: true });
  });

  it('refuses a read-only user every change with 403, and nothing changes', async () => {
    const before = await endOffset(topic);
    for (const [method, route, body] of [
      ['POST', '/subjects/parcels-value/versions', v2],
      ['POST', '/subjects/other-value/versions', v1],
      ['PUT', '/config', { compatibility: 'NONE' }],
      ['PUT', '/config/parcels-value', { compatibility: 'NONE' }],
      ['DELETE', '/config/parcels-value', undefined],
      ['DELETE', '/subjects/parcels-value', undefined],
      ['DELETE', '/subjects/parcels-value/versions/1', undefined],
    ] as const) {
      const answer = await call(method, route, { as: reader, body });
      expect([method, route, answer.status, answer.body.error_code]).toEqual([
        method,
        route,
        403,
        40301,
      ]);
    }
    expect(await endOffset(topic)).toBe(before);
    expect((await call('GET', '/subjects', { as: reader })).body).toEqual(['parcels-value']);
    expect((await call('GET', '/subjects/parcels-value/versions', { as: reader })).body).toEqual([
      1,
    ]);
    expect((await call('GET', '/config', { as: reader })).body).toEqual({
      compatibilityLevel: 'BACKWARD',
    });
  });

  it('lets a read-write user change things', async () => {
    const as = writer;
    expect(
      (await call('PUT', '/config/parcels-value', { as, body: { compatibility: 'FULL' } })).body,
    ).toEqual({ compatibility: 'FULL' });
    expect((await call('DELETE', '/config/parcels-value', { as })).status).toBe(200);
    expect((await call('POST', '/subjects/scratch-value/versions', { as, body: v1 })).status).toBe(
      200,
    );
    expect((await call('DELETE', '/subjects/scratch-value', { as })).body).toEqual([1]);
  });

  it('is not reachable without trusting the CA, nor over plain HTTP', async () => {
    const untrusted = await fetch(`${registry.url}/subjects`).catch((error: Error) => error);
    expect((untrusted as Error & { cause?: { code?: string } }).cause?.code).toMatch(
      /CERT|SIGNED|VERIFY/,
    );
    const plain = await fetch(`${registry.url.replace('https:', 'http:')}/subjects`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
  });

  describe('through @kafkajs/confluent-schema-registry', () => {
    const agent = () => new HttpsAgent({ ca });
    const client = (user: RegistryUser) =>
      new SchemaRegistry({
        host: registry.url,
        auth: { username: user.username, password: user.password },
        agent: agent(),
      });
    const avro = (fields: object[]) => ({
      type: SchemaType.AVRO as const,
      schema: JSON.stringify(recordSchema('Crate', fields)),
    });

    it('registers, encodes and decodes with the read-write user; a read-only user decodes but may not register', async () => {
      const { id } = await client(writer).register(avro([{ name: 'id', type: 'string' }]), {
        subject: 'crates-value',
      });
      const encoded = await client(writer).encode(id, { id: 'c-1' });
      // A fresh client: the writer schema is fetched by id, as the reader.
      expect(await client(reader).decode(encoded)).toEqual({ id: 'c-1' });
      expect(await client(reader).getLatestSchemaId('crates-value')).toBe(id);

      const refused = await client(reader)
        .register(
          avro([
            { name: 'id', type: 'string' },
            { name: 'n', type: 'int', default: 1 },
          ]),
          {
            subject: 'crates-value',
          },
        )
        .catch((error: Error) => error);
      expect(refused).toBeInstanceOf(Error);
      expect(String((refused as Error).message)).toMatch(/403|Forbidden/);
      expect(String((refused as Error).message)).not.toContain(reader.password);
      const wrong = await client({ ...writer, password: 'not-it' })
        .getLatestSchemaId('crates-value')
        .catch((error: Error) => error);
      expect(String((wrong as Error).message)).toMatch(/401|Unauthorized/);
    });
  });
});
