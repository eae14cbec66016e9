import { Writable } from 'node:stream';
import pino from 'pino';
import { buildReleaseApi } from './api';
import { BODY_LIMIT_BYTES, MAX_JSON_DEPTH, nestedDeeperThan } from './json-body';
import { readBearerToken } from './bearer-auth';
import { loadReleasesSettings } from './releases';
import { RELEASES } from './settings';
import type { ReleaseStore } from './release-store';

/**
 * The release API's guards, through fastify's inject (no socket, no broker, no database): the
 * default bind address, the body limit, the depth limit, a 400 naming each wrong-typed field, and
 * the bearer token — required, accepted, refused, and never in a log line or a response.
 */

const TOKEN = 'tok-Aq7.Zr9_x~K2+m/W4vN8=';
const VALID = { service: 'checkout', version: '2.4.0', canaryShare: 0.25 };

function api(options: { token?: string; failStore?: boolean } = {}) {
  const lines: string[] = [];
  const logger = pino(
    { level: 'trace' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString());
        callback();
      },
    }),
  );
  const store = {
    create: async (view: { releaseId: string }) => {
      if (options.failStore) throw new Error('database down');
      return { created: true, view };
    },
    get: async () => undefined,
    list: async () => [],
  } as unknown as ReleaseStore;
  const app = buildReleaseApi({
    store,
    requestEvent: () => ({ type: 'ReleaseRequested', topic: 't', key: 'k', payload: {} }),
    ready: () => true,
    logger,
    token: options.token,
  });
  const post = (payload: string | object, headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url: '/releases',
      headers: { 'content-type': 'application/json', ...headers },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });
  return { app, post, lines };
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('release API settings', () => {
  const env = { TROUPE_DATABASE_URL: 'postgres://u@localhost:5432/db' };

  it('binds loopback and requires no token by default', () => {
    expect(loadReleasesSettings(env)).toMatchObject({ apiHost: '127.0.0.1', apiToken: undefined });
  });

  it('reads a token, and refuses a malformed one without quoting it', () => {
    expect(loadReleasesSettings({ ...env, TROUPE_RELEASES_API_TOKEN: TOKEN }).apiToken).toBe(TOKEN);
    for (const bad of ['short-token', 'has a space in it, 16+ chars']) {
      const read = () => readBearerToken({ TROUPE_RELEASES_API_TOKEN: bad }, RELEASES.apiToken);
      expect(read).toThrow(/^TROUPE_RELEASES_API_TOKEN: expected a bearer token.*redacted/);
      expect(read).not.toThrow(bad);
    }
  });
});

describe('release API request bodies', () => {
  it('accepts a valid request', async () => {
    expect((await api().post(VALID)).statusCode).toBe(202);
  });

  it('answers 413 with one JSON error over the body limit', async () => {
    const response = await api().post({ ...VALID, requestedBy: 'x'.repeat(BODY_LIMIT_BYTES) });
    expect(response.statusCode).toBe(413);
    expect(response.json()).toEqual({
      error: 'payload_too_large',
      field: 'body',
      message: `body: expected at most ${BODY_LIMIT_BYTES} bytes, found more`,
    });
  });

  it.each([
    ['an 8,000-deep array', nested(8000)],
    ['an 8,000-deep array in a field', `{"service":${nested(8000)}}`],
    ['an 8,000-deep array under a constructor key', `{"constructor":${nested(8000)}}`],
    [`${MAX_JSON_DEPTH + 1} levels`, nested(MAX_JSON_DEPTH + 1)],
  ])('answers 400 naming the nesting for %s', async (_what, payload) => {
    expect(payload.length).toBeLessThanOrEqual(BODY_LIMIT_BYTES);
    const response = await api().post(payload);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'invalid_request',
      field: 'body',
      message: `body: expected JSON nested at most ${MAX_JSON_DEPTH} levels deep, found deeper nesting`,
    });
  });

  it('measures depth without recursion, whatever the depth', () => {
    const deep = JSON.parse(nested(100_000)) as unknown;
    expect(nestedDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true);
    expect(nestedDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [1, { b: [] }] }, 3)).toBe(true);
  });

  it.each([
    [{ ...VALID, service: 42 }, 'service', 'found 42'],
    [{ ...VALID, service: ['checkout'] }, 'service', 'found an array'],
    [{ ...VALID, version: 2.4 }, 'version', 'found 2.4'],
    [{ ...VALID, version: { major: 2 } }, 'version', 'found an object'],
    [{ ...VALID, canaryShare: '0.25' }, 'canaryShare', 'found "0.25"'],
    [{ ...VALID, canaryShare: null }, 'canaryShare', 'found null'],
    [{ ...VALID, requestedBy: 7 }, 'requestedBy', 'found 7'],
    [{ ...VALID, requestedBy: true }, 'requestedBy', 'found true'],
    [{ ...VALID, share: 0.3 }, 'share', 'found 0.3'],
    [[VALID], 'body', 'found an array'],
    ['"checkout"', 'body', 'found "checkout"'],
    ['{"service": ', 'body', ''],
  ])('answers 400 for %j naming %s', async (payload, field, found) => {
    const response = await api().post(payload);
    expect(response.statusCode).toBe(400);
    const body = response.json<{ error: string; field: string; message: string }>();
    expect(body).toMatchObject({ error: 'invalid_request', field });
    expect(body.message.startsWith(`${field}: `)).toBe(true);
    expect(body.message).toContain(found);
  });
});

describe('release API bearer token', () => {
  it('is not required when none is configured', async () => {
    expect((await api().app.inject('/releases')).statusCode).toBe(200);
  });

  it('is required on every route but the health checks', async () => {
    const { app, post } = api({ token: TOKEN });
    for (const response of [
      await post(VALID),
      await app.inject('/releases'),
      await app.inject('/releases/00000000-0000-4000-8000-000000000000'),
      await app.inject('/no-such-route'),
    ]) {
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="releases"');
      expect(response.json()).toMatchObject({ error: 'unauthorized', field: 'authorization' });
    }
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(200);
  });

  it('is checked before the body is read', async () => {
    const { post } = api({ token: TOKEN });
    expect((await post(nested(8000))).statusCode).toBe(401);
    expect((await post('x'.repeat(BODY_LIMIT_BYTES + 1))).statusCode).toBe(401);
  });

  it('accepts the token, in any case of the scheme', async () => {
    const { post } = api({ token: TOKEN });
    expect((await post(VALID, { authorization: `Bearer ${TOKEN}` })).statusCode).toBe(202);
    expect((await post(VALID, { authorization: `bearer ${TOKEN}` })).statusCode).toBe(202);
  });

  it.each([
    ['another token', `Bearer ${TOKEN}x`],
    ['a prefix of it', `Bearer ${TOKEN.slice(0, -2)}`],
    ['another scheme', `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`],
    ['no token', 'Bearer '],
  ])('refuses %s with invalid_token', async (_what, authorization) => {
    const response = await api({ token: TOKEN }).post(VALID, { authorization });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe(
      'Bearer realm="releases", error="invalid_token"',
    );
    expect(response.body).not.toContain(TOKEN);
  });

  it('never appears in a log line or a response', async () => {
    const { post, lines } = api({ token: TOKEN, failStore: true });
    const responses = [
      await post(VALID, { authorization: `Bearer ${TOKEN}` }), // 500, logged with its error
      await post(VALID, { authorization: `Bearer ${TOKEN}!` }),
      await post(VALID),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([500, 401, 401]);
    expect(lines.join('')).toContain('release API request failed');
    expect(lines.join('')).not.toContain(TOKEN);
    for (const response of responses) expect(response.body).not.toContain(TOKEN);
  });
});
