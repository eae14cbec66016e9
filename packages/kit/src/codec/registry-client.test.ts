import { classifyFailure } from '../retry/classify';
import { createSchemaCatalog } from '../schemas/catalog';
import { AvroCodec } from './avro-codec';
import { DecodeError } from './codec';
import { RegistryError, SchemaRegistryClient, registryErrorCode } from './registry-client';
import { writeWireHeader } from './wire-format';

// No sockets in unit tests: fetch answers from a script, and records what was asked.
const URL = 'http://registry.test:8081';

interface Answer {
  status: number;
  body: unknown;
}

function answering(...answers: Answer[]): { requests: { method: string; url: string }[] } {
  const requests: { method: string; url: string }[] = [];
  jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    requests.push({ method: init?.method ?? 'GET', url: String(input) });
    const answer = answers.shift() ?? { status: 500, body: 'no scripted answer left' };
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    return new Response(text, { status: answer.status });
  });
  return { requests };
}

async function thrownBy(pending: Promise<unknown>): Promise<RegistryError> {
  const error: unknown = await pending.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof RegistryError)) throw new Error(`expected a RegistryError, got ${error}`);
  return error;
}

const PROXY_404 = { status: 404, body: '<html><body>404 Not Found</body></html>' };
const NO_ROUTE_404 = { status: 404, body: { error_code: 404, message: 'HTTP 404 Not Found' } };
const SCHEMA_NOT_FOUND = { status: 404, body: { error_code: 40403, message: 'Schema not found' } };
const SUBJECT_NOT_FOUND = {
  status: 404,
  body: { error_code: 40401, message: "Subject 'x' not found." },
};

afterEach(() => jest.restoreAllMocks());

describe('registryErrorCode', () => {
  it.each([
    [404, 40403, 'REGISTRY_REJECTED'],
    [404, 40401, 'REGISTRY_REJECTED'],
    [404, 40402, 'REGISTRY_REJECTED'],
    [404, 40408, 'REGISTRY_REJECTED'],
    [404, undefined, 'REGISTRY_UNAVAILABLE'],
    [404, 404, 'REGISTRY_UNAVAILABLE'],
    [500, 50001, 'REGISTRY_UNAVAILABLE'],
    [503, undefined, 'REGISTRY_UNAVAILABLE'],
    [429, undefined, 'REGISTRY_UNAVAILABLE'],
    [409, 409, 'REGISTRY_REJECTED'],
    [422, 42201, 'REGISTRY_REJECTED'],
    [401, undefined, 'REGISTRY_REJECTED'],
  ])('HTTP %i with error_code %p is %s', (status, errorCode, expected) => {
    expect(registryErrorCode(status, errorCode)).toBe(expected);
  });
});

describe('schemaById: only 40403 means an unknown id', () => {
  it('returns undefined for 40403 and the schema when found', async () => {
    answering(SCHEMA_NOT_FOUND, { status: 200, body: { schema: '"string"' } });
    const client = new SchemaRegistryClient(URL);
    expect(await client.schemaById(7)).toBeUndefined();
    expect(await client.schemaById(8)).toBe('"string"');
  });

  it.each([
    ['a proxy 404 page', PROXY_404],
    ["a registry's unknown-route 404", NO_ROUTE_404],
  ])('throws a retryable REGISTRY_UNAVAILABLE for %s', async (_label, answer) => {
    answering(answer);
    const error = await thrownBy(new SchemaRegistryClient(`${URL}/wrong-prefix`).schemaById(7));
    expect(error.code).toBe('REGISTRY_UNAVAILABLE');
    expect(error.status).toBe(404);
    expect(error.message).toMatch(
      /GET .*\/wrong-prefix\/schemas\/ids\/7: HTTP 404: .*check the registry URL/,
    );
    expect(classifyFailure(error)).toBe('retryable');
  });

  it('throws for a registry "not found" that is not about the id', async () => {
    answering(SUBJECT_NOT_FOUND);
    const error = await thrownBy(new SchemaRegistryClient(URL).schemaById(7));
    expect(error).toMatchObject({ code: 'REGISTRY_REJECTED', status: 404, errorCode: 40401 });
  });
});

describe('the codec over a misrouted registry', () => {
  const schema = {
    type: 'record',
    name: 'Thing',
    namespace: 'test',
    fields: [{ name: 'id', type: 'string' }],
  };

  function encoded(id: number): Buffer {
    const value = Buffer.alloc(5);
    writeWireHeader(value, id);
    return value;
  }

  function codec(): AvroCodec {
    return new AvroCodec({ registry: URL, catalog: createSchemaCatalog([{ schema }]) });
  }

  it('redelivers instead of dead-lettering when the 404 is not the registry saying 40403', async () => {
    answering(PROXY_404);
    const error: unknown = await codec()
      .decode('t', 'test.Thing', encoded(3))
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).not.toBeInstanceOf(DecodeError);
  });

  it('rejects the record as undecodable when the registry does not know the id', async () => {
    answering(SCHEMA_NOT_FOUND);
    const error: unknown = await codec()
      .decode('t', 'test.Thing', encoded(3))
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DecodeError);
    expect(classifyFailure(error as Error)).toBe('permanent');
  });
});

describe('not-found answers each call accepts', () => {
  it('latest and lookup: a missing subject is undefined, a proxy 404 throws', async () => {
    answering(SUBJECT_NOT_FOUND, SUBJECT_NOT_FOUND, SCHEMA_NOT_FOUND, PROXY_404);
    const client = new SchemaRegistryClient(URL);
    expect(await client.latest('s')).toBeUndefined();
    expect(await client.lookup('s', '"string"')).toBeUndefined();
    expect(await client.lookup('s', '"string"')).toBeUndefined();
    expect((await thrownBy(client.latest('s'))).code).toBe('REGISTRY_UNAVAILABLE');
  });

  it('compatibilityLevel falls back to the global level when the subject has none', async () => {
    const { requests } = answering(
      { status: 404, body: { error_code: 40408, message: 'no subject-level config' } },
      { status: 200, body: { compatibilityLevel: 'FULL' } },
    );
    expect(await new SchemaRegistryClient(URL).compatibilityLevel('s')).toBe('FULL');
    expect(requests.map((r) => r.url)).toEqual([`${URL}/config/s`, `${URL}/config`]);
  });
});

describe('compatibility checks', () => {
  it('testCompatibility asks the versionless endpoint, which checks what registration checks', async () => {
    const { requests } = answering({
      status: 200,
      body: { is_compatible: false, messages: ['reason one', 'reason two'] },
    });
    const result = await new SchemaRegistryClient(URL).testCompatibility('a/b', '"string"');
    expect(result).toEqual({ compatible: false, messages: ['reason one', 'reason two'] });
    expect(requests).toEqual([
      { method: 'POST', url: `${URL}/compatibility/subjects/a%2Fb/versions?verbose=true` },
    ]);
  });

  it('testCompatibilityWithVersion asks about one version; a missing one is undefined', async () => {
    const { requests } = answering(
      { status: 200, body: { is_compatible: true } },
      { status: 404, body: { error_code: 40402, message: 'Version 9 not found' } },
    );
    const client = new SchemaRegistryClient(URL);
    expect(await client.testCompatibilityWithVersion('s', 2, '"string"')).toEqual({
      compatible: true,
      messages: [],
    });
    expect(await client.testCompatibilityWithVersion('s', 9, '"string"')).toBeUndefined();
    expect(requests.map((r) => r.url)).toEqual([
      `${URL}/compatibility/subjects/s/versions/2?verbose=true`,
      `${URL}/compatibility/subjects/s/versions/9?verbose=true`,
    ]);
  });
});
