import type { RunningRegistry } from '@troupe/registry';
import { api, recordSchema, RegistryFixture, uniqueTopic } from './support';

/** Confluent's status codes and error bodies, and a server that survives bad requests. */
describe('HTTP errors', () => {
  const fixture = new RegistryFixture();
  let registry: RunningRegistry;
  let http: ReturnType<typeof api>;
  const schema = recordSchema('Thing', [{ name: 'x', type: 'int' }]);

  beforeAll(async () => {
    registry = await fixture.start(uniqueTopic('errors'), { bodyLimitBytes: 64 * 1024 });
    http = api(registry.url);
    await http.register('thing-value', schema);
  });
  afterAll(() => fixture.cleanUp());

  const stillAnswers = async (): Promise<void> => {
    expect((await http.get('/subjects')).body).toEqual(['thing-value']);
  };

  it('answers the root, mode and schema types', async () => {
    expect(await http.get('/')).toMatchObject({ status: 200, body: {} });
    expect((await http.get('/mode')).body).toEqual({ mode: 'READWRITE' });
    expect((await http.get('/schemas/types')).body).toEqual(['AVRO']);
    expect((await http.get('/subjects')).contentType).toBe(
      'application/vnd.schemaregistry.v1+json',
    );
  });

  it.each([
    ['GET', '/subjects/nobody/versions', 404, 40401],
    ['GET', '/subjects/nobody/versions/1', 404, 40401],
    ['GET', '/subjects/thing-value/versions/2', 404, 40402],
    ['GET', '/schemas/ids/999999', 404, 40403],
    ['GET', '/schemas/ids/999999/versions', 404, 40403],
    ['GET', '/subjects/thing-value/versions/zero', 422, 42202],
    ['GET', '/subjects/thing-value/versions/0', 422, 42202],
    ['DELETE', '/subjects/nobody', 404, 40401],
    ['GET', '/config/thing-value', 404, 40408],
    ['GET', '/no/such/path', 404, 404],
  ])('%s %s → %i %i', async (method, path, status, errorCode) => {
    const response = method === 'GET' ? await http.get(path) : await http.del(path);
    expect(response.status).toBe(status);
    expect(response.body).toEqual({ error_code: errorCode, message: expect.any(String) });
  });

  it('rejects invalid schemas with 42201 and says why', async () => {
    const notJson = await http.post('/subjects/bad-value/versions', { schema: '{"type":' });
    expect(notJson).toMatchObject({ status: 422, body: { error_code: 42201 } });
    const notAvro = await http.post('/subjects/bad-value/versions', {
      schema: '{"type":"record","name":"A","fields":[{"name":"x","type":"nope"}]}',
    });
    expect(notAvro.body).toEqual({ error_code: 42201, message: expect.stringContaining('nope') });
    const missing = await http.post('/subjects/bad-value/versions', {});
    expect(missing).toMatchObject({ status: 422, body: { error_code: 42201 } });
    const protobuf = await http.post('/subjects/bad-value/versions', {
      schema: 'syntax = "proto3";',
      schemaType: 'PROTOBUF',
    });
    expect(protobuf.body).toEqual({
      error_code: 42201,
      message: expect.stringContaining('AVRO only'),
    });
    const withReferences = await http.post('/subjects/bad-value/versions', {
      schema: JSON.stringify(schema),
      references: [{ name: 'x', subject: 'y', version: 1 }],
    });
    expect(withReferences.body).toMatchObject({ error_code: 42201 });
    await stillAnswers();
  });

  it('rejects an unknown compatibility level with 42203', async () => {
    const response = await http.put('/config/thing-value', { compatibility: 'SIDEWAYS' });
    expect(response).toMatchObject({ status: 422, body: { error_code: 42203 } });
    expect((await http.put('/config', {})).body).toMatchObject({ error_code: 42203 });
  });

  it('rejects an incompatible schema with 409', async () => {
    const incompatible = recordSchema('Thing', [{ name: 'x', type: 'string' }]);
    const response = await http.register('thing-value', incompatible);
    expect(response).toMatchObject({ status: 409, body: { error_code: 409 } });
    expect(response.body.message).toMatch(/incompatible/);
  });

  it('answers lookups: found, schema not found (40403), subject not found (40401)', async () => {
    const found = await http.post('/subjects/thing-value', { schema: JSON.stringify(schema) });
    expect(found.body).toEqual({
      subject: 'thing-value',
      id: expect.any(Number),
      version: 1,
      schema: expect.any(String),
    });
    const other = JSON.stringify(recordSchema('Other', [{ name: 'y', type: 'int' }]));
    expect((await http.post('/subjects/thing-value', { schema: other })).body).toMatchObject({
      error_code: 40403,
    });
    expect((await http.post('/subjects/nobody', { schema: other })).body).toMatchObject({
      error_code: 40401,
    });
  });

  it('answers malformed JSON with 400 and keeps serving', async () => {
    for (const contentType of ['application/json', 'application/vnd.schemaregistry.v1+json']) {
      const response = await http.post('/subjects/x/versions', '{"schema": ', {
        'content-type': contentType,
      });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ error_code: 400, message: expect.any(String) });
    }
    const notAnObject = await http.post('/subjects/x/versions', '[1,2]');
    expect(notAnObject).toMatchObject({ status: 422, body: { error_code: 422 } });
    // An empty body with a JSON content type is no body (Confluent's clients send one on DELETEs).
    const empty = await http.post('/subjects/x/versions', '', {
      'content-type': 'application/json',
    });
    expect(empty).toMatchObject({
      status: 422,
      body: { error_code: 422, message: expect.stringContaining('found no body') },
    });
    await stillAnswers();
  });

  it('answers a body over the limit with 413 and keeps serving', async () => {
    const huge = JSON.stringify({
      schema: JSON.stringify({
        type: 'enum',
        name: 'Big',
        symbols: Array.from({ length: 20_000 }, (_, i) => `S${i}`),
      }),
    });
    expect(huge.length).toBeGreaterThan(64 * 1024);
    const response = await http.post('/subjects/huge/versions', huge);
    expect(response.status).toBe(413);
    expect(response.body).toEqual({
      error_code: 413,
      message: expect.stringContaining('65536 bytes'),
    });
    await stillAnswers();
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await http.post('/subjects/x/versions', 'schema=x', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(response).toMatchObject({ status: 415, body: { error_code: 415 } });
    await stillAnswers();
  });

  it('accepts both Confluent and plain JSON content types', async () => {
    const body = JSON.stringify({ schema: JSON.stringify(schema) });
    for (const contentType of [
      'application/json',
      'application/vnd.schemaregistry.v1+json',
      'application/vnd.schemaregistry+json',
    ]) {
      const response = await http.post('/subjects/thing-value/versions', body, {
        'content-type': contentType,
      });
      expect(response).toMatchObject({ status: 200, body: { id: expect.any(Number) } });
    }
  });

  it('handles subject names that need escaping', async () => {
    const subject = 'com.acme/orders value:v1';
    const { body } = await http.register(subject, schema);
    const latest = await http.get(`/subjects/${encodeURIComponent(subject)}/versions/latest`);
    expect(latest.body).toMatchObject({ subject, id: body.id, version: 1 });
    const raw = await http.get(`/subjects/${encodeURIComponent(subject)}/versions/1/schema`);
    expect(raw.body).toEqual({
      type: 'record',
      name: 'troupe.test.Thing',
      fields: [{ name: 'x', type: 'int' }],
    });
  });
});
