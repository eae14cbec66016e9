import { Events } from '@troupe/contracts';
import { Headers, Publisher, createKafkaDriver, headerString, loadConfig } from '@troupe/kit';
import { GroupConsumer, nextOffset } from '@troupe/kit/internal';
import { createTopics, testKafka, uniqueName } from '@troupe/testkit';
import { createPipelineCodec } from '@troupe-services/pipeline';
import {
  RunningReleases,
  ReleaseView,
  loadReleasesSettings,
  startReleaseApi,
  startReleases,
} from '@troupe-services/releases';
import { Client } from 'pg';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * The releases service against the real stack: a request becomes a row and its ReleaseRequested
 * in one transaction (outbox), the relay publishes it, GET shows the state projected from the
 * release events, bad requests name their bad field, oversized and deeply nested bodies are
 * refused over a real socket, a configured bearer token is required, and /metrics reports the outbox.
 */
jest.setTimeout(90_000);

const topic = uniqueName('rel-events');
const schema = uniqueName('rel').replace(/-/g, '_');
const env = {
  ...process.env,
  TROUPE_RELEASES_TOPIC: topic,
  TROUPE_PIPELINE_NAMESPACE: uniqueName('rel'),
  TROUPE_RELEASES_DB_SCHEMA: schema,
  TROUPE_RELEASES_API_PORT: '0',
  TROUPE_RELEASES_API_HOST: undefined, // the default: loopback
  TROUPE_RELEASES_API_TOKEN: undefined,
  TROUPE_RELEASES_API_TOKEN_FILE: undefined,
  TROUPE_HTTP_PORT: '0',
  TROUPE_HTTP_HOST: '127.0.0.1',
  TROUPE_LOG_LEVEL: 'warn',
  TROUPE_RETRY_TOPIC_DELAYS: 'none',
};
const codec = createPipelineCodec(loadConfig(env), true);
let releases: RunningReleases;
let consumer: GroupConsumer;
let db: Client;
const published: { id: string; type: string }[] = [];

const url = (path: string) => `http://127.0.0.1:${releases.api.port}${path}`;
const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(url('/releases'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const stateOf = async (id: string, state: string): Promise<ReleaseView | undefined> => {
  const view = (await (await fetch(url(`/releases/${id}`))).json()) as ReleaseView;
  return view.state === state ? view : undefined;
};

beforeAll(async () => {
  await createTopics([{ topic, partitions: 3 }]);
  releases = await startReleases(env, { opsServer: true });
  db = new Client({ connectionString: process.env.TROUPE_DATABASE_URL });
  await db.connect();
  consumer = testKafka('rel-test-reader').consumer({ groupId: uniqueName('rel-reader') });
  await consumer.run({
    topics: [topic],
    fromBeginning: true,
    partitionConcurrency: 1,
    onBatch: async ({ records }, control) => {
      for (const record of records)
        published.push({
          id: headerString(record.headers, Headers.id) ?? '',
          type: headerString(record.headers, Headers.type) ?? '',
        });
      const last = records.at(-1);
      if (last) await control.commit(nextOffset(last.offset));
    },
  });
});

afterAll(async () => {
  await consumer?.stop();
  await releases?.stop();
  await db?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await db?.end();
});

test('POST stores the release and its event together; the relay publishes it; GET shows the projected state', async () => {
  const response = await post({
    service: 'checkout',
    version: '2.4.0',
    canaryShare: 0.25,
    requestedBy: 'ana',
  });
  expect(response.status).toBe(202);
  const { releaseId, state } = (await response.json()) as { releaseId: string; state: string };
  expect(state).toBe('REQUESTED');
  // Row and outbox row committed together.
  const rows = await db.query(
    `SELECT (SELECT count(*) FROM "${schema}".releases WHERE release_id = $1)::int AS releases, (SELECT count(*) FROM "${schema}".troupe_outbox WHERE aggregate_key = $1)::int AS outbox`,
    [releaseId],
  );
  expect(rows.rows[0]).toEqual({ releases: 1, outbox: 1 });
  await until('the ReleaseRequested on the topic', async () =>
    published.find((p) => p.id === `${releaseId}.ReleaseRequested`),
  );
  const requested = await until('the projection of ReleaseRequested', async () => {
    const view = await stateOf(releaseId, 'REQUESTED');
    return view?.history.length === 1 ? view : undefined;
  });
  expect(requested).toMatchObject({
    service: 'checkout',
    version: '2.4.0',
    canaryShare: 0.25,
    requestedBy: 'ana',
    terminal: false,
  });

  // Later release events, whoever publishes them, move the projected state.
  const publisher = new Publisher({
    kafka: createKafkaDriver(loadConfig(env).kafka, { clientId: 'rel-test' }),
    codec,
    source: 'rel-test',
  });
  try {
    const finishedAt = new Date();
    await publisher.publish({
      type: Events.TestsFailed,
      topic,
      key: releaseId,
      payload: {
        releaseId,
        service: 'checkout',
        version: '2.4.0',
        reason: '1 of 12 tests failed',
        failedTests: ['x'],
        finishedAt,
      },
    });
    const failed = await until('TESTS_FAILED', () => stateOf(releaseId, 'TESTS_FAILED'));
    expect(failed).toMatchObject({ terminal: true, tests: { passed: false, failedTests: ['x'] } });
    expect(failed.history.map((h) => h.type)).toEqual(['ReleaseRequested', 'TestsFailed']);
  } finally {
    await publisher.disconnect();
  }
});

test('a repeated request with the same Idempotency-Key returns the first release and writes nothing', async () => {
  const body = { service: 'search', version: '5.0.0', canaryShare: 0.1 };
  const first = await post(body, { 'idempotency-key': 'deploy-42' });
  const second = await post(body, { 'idempotency-key': 'deploy-42' });
  expect([first.status, second.status]).toEqual([202, 200]);
  const [a, b] = (await Promise.all([first.json(), second.json()])) as { releaseId: string }[];
  expect(b?.releaseId).toBe(a?.releaseId);
  const outbox = await db.query(
    `SELECT count(*)::int AS n FROM "${schema}".troupe_outbox WHERE aggregate_key = $1`,
    [a?.releaseId],
  );
  expect(outbox.rows[0]).toEqual({ n: 1 });
});

test.each([
  [{ service: 'checkout', version: '1.0.0', canaryShare: 2 }, 'canaryShare'],
  [{ version: '1.0.0', canaryShare: 0.2 }, 'service'],
  [{ service: 'checkout', canaryShare: 0.2 }, 'version'],
  ['{"service": ', 'body'],
])('POST %j answers 400 naming %s', async (body, field) => {
  const response = await post(body);
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ error: 'invalid_request', field });
});

test('other bad requests answer JSON errors too', async () => {
  const text = await fetch(url('/releases'), {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: 'hello',
  });
  expect([text.status, await text.json()]).toEqual([
    415,
    expect.objectContaining({ field: 'content-type' }),
  ]);
  const badId = await fetch(url('/releases/not-a-uuid'));
  expect([badId.status, await badId.json()]).toEqual([
    400,
    expect.objectContaining({ field: 'id' }),
  ]);
  const unknown = await fetch(url('/releases/00000000-0000-4000-8000-000000000000'));
  expect([unknown.status, await unknown.json()]).toEqual([
    404,
    expect.objectContaining({ error: 'not_found', field: 'id' }),
  ]);
});

test('the API binds loopback by default', () => {
  expect(releases.api.host).toBe('127.0.0.1');
});

test('over a real socket, a body over 16 KiB answers 413 and an 8,000-deep array 400, as JSON', async () => {
  const large = await post({
    service: 'checkout',
    version: '1.0.0',
    requestedBy: 'x'.repeat(17_000),
  });
  expect([large.status, await large.json()]).toEqual([
    413,
    expect.objectContaining({ error: 'payload_too_large', field: 'body' }),
  ]);
  const deep = await post('['.repeat(8000) + ']'.repeat(8000));
  expect([deep.status, await deep.json()]).toEqual([
    400,
    expect.objectContaining({ field: 'body', message: expect.stringMatching(/nested at most/) }),
  ]);
  expect((await fetch(url('/healthz'))).status).toBe(200); // and the server is still there
});

test('with TROUPE_RELEASES_API_TOKEN_FILE set, requests need the bearer token', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rel-token-'));
  const token = `t0k-${uniqueName('rel')}-0123456789`;
  writeFileSync(path.join(dir, 'token'), `${token}\n`);
  const settings = loadReleasesSettings({
    ...env,
    TROUPE_RELEASES_API_TOKEN_FILE: path.join(dir, 'token'),
  });
  rmSync(dir, { recursive: true });
  expect(settings.apiToken).toBe(token);
  const api = await startReleaseApi(
    {
      store: releases.store,
      requestEvent: () => {
        throw new Error('not used');
      },
      ready: () => true,
      logger: releases.pipeline.service.logger,
      token: settings.apiToken,
    },
    { port: 0, host: settings.apiHost },
  );
  try {
    const at = (p: string, headers: Record<string, string> = {}) =>
      fetch(`http://127.0.0.1:${api.port}${p}`, { headers });
    const none = await at('/releases');
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([
      401,
      'Bearer realm="releases"',
    ]);
    const wrong = await at('/releases', { authorization: `Bearer ${token}-not` });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).not.toContain(token);
    expect((await at('/releases', { authorization: `Bearer ${token}` })).status).toBe(200);
    expect((await at('/healthz')).status).toBe(200);
  } finally {
    await api.close();
  }
});

test("/metrics reports the outbox: pending rows, the oldest one's age, and rows Kafka refused", async () => {
  // A row as the relay leaves one Kafka refused: held back for an hour, so it stays pending. Its
  // topic is not the release topic: should it ever go out, no consumer of this test reads it.
  await db.query(
    `INSERT INTO "${schema}".troupe_outbox (aggregate_key, topic, value, attempts, last_error, next_attempt_at)
     VALUES ('refused-release', $1, 'refused', 1, 'KafkaJSProtocolError: too large', now() + interval '1 hour')`,
    [uniqueName('rel-refused')],
  );
  const outbox = `outbox="${schema}.troupe_outbox"`;
  const sample = (text: string, name: string): number | undefined => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(outbox));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };
  const port = releases.pipeline.service.httpPort;
  const metrics = await until('the outbox gauges showing the refused row alone', async () => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return sample(text, 'troupe_outbox_pending') === 1 ? text : undefined;
  });
  expect(sample(metrics, 'troupe_outbox_failing')).toBe(1);
  expect(sample(metrics, 'troupe_outbox_oldest_unsent_age_seconds')).toBeGreaterThan(0);
});
