import { createHash, randomUUID } from 'node:crypto';
import Fastify, { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ReleaseView, requestedView } from './projection';
import { ReleaseRequestBody, parseReleaseRequest } from './release-request';
import type { ReleaseStore } from './release-store';
import { requireBearerToken } from './bearer-auth';
import { BODY_LIMIT_BYTES, useBoundedJsonParser } from './json-body';
import type { OutgoingEvent } from '@troupe/kit';
import type { ReleaseRequested } from '@troupe/contracts';

export interface ReleaseApiOptions {
  store: ReleaseStore;
  /** The ReleaseRequested event to store with a new release. */
  requestEvent: (request: ReleaseRequested) => OutgoingEvent;
  /** /readyz: the projection consumer and the outbox relay are running. */
  ready: () => boolean;
  logger: Logger;
  /** When set, every route but /healthz and /readyz requires `Authorization: Bearer <token>`. */
  token?: string;
}

export interface ReleaseApi {
  readonly port: number;
  /** The address it listens on (TROUPE_RELEASES_API_HOST; loopback by default). */
  readonly host: string;
  close(): Promise<void>;
}

/** The health checks: open even when a token is required, so probes need no secret. */
const OPEN_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz']);

const RELEASE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The release API (JSON):
 * - `POST /releases` `{ service, version, canaryShare, requestedBy? }` → 202 `{ releaseId, state, href }`;
 *   with an `Idempotency-Key` header a repeat returns the first release (200) instead of a second one.
 * - `GET /releases/:id` → 200 the release's projected view, 404 if unknown.
 * - `GET /releases?service=&limit=` → the latest releases.
 * - `GET /healthz`, `GET /readyz`: never behind the token.
 * Every error is `{ error, field?, message }` with a 4xx/5xx status; `field` names the culprit.
 * Guards: a body over BODY_LIMIT_BYTES (16 KiB) answers 413, one nested deeper than
 * MAX_JSON_DEPTH answers 400 (./json-body.ts); with `token`, a request without it answers 401
 * (./bearer-auth.ts), before its body is read.
 */
export async function startReleaseApi(
  options: ReleaseApiOptions,
  listen: { port: number; host: string },
): Promise<ReleaseApi> {
  const app = buildReleaseApi(options);
  await app.listen({ port: listen.port, host: listen.host });
  const address = app.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : listen.port,
    host: typeof address === 'object' && address ? address.address : listen.host,
    close: () => app.close(),
  };
}

export function buildReleaseApi(options: ReleaseApiOptions): FastifyInstance {
  const { store, logger } = options;
  const app = Fastify({
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: 10_000,
    connectionTimeout: 10_000,
  });
  useBoundedJsonParser(app);
  if (options.token !== undefined)
    app.addHook('onRequest', requireBearerToken(options.token, OPEN_ROUTES));

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      logger.error({ err: error }, 'release API request failed');
      return reply.status(500).send({
        error: 'internal',
        message: 'the request could not be completed; see the service log',
      });
    }
    if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({
        error: 'unsupported_media_type',
        field: 'content-type',
        message: 'content-type: expected application/json',
      });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({
        error: 'payload_too_large',
        field: 'body',
        message: `body: expected at most ${BODY_LIMIT_BYTES} bytes, found more`,
      });
    }
    return reply
      .status(status)
      .send({ error: 'invalid_request', field: 'body', message: `body: ${error.message}` });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  );

  app.get('/healthz', async () => ({ ok: true }));
  app.get('/readyz', async (_request, reply) =>
    reply.status(options.ready() ? 200 : 503).send({ ok: options.ready() }),
  );

  app.post('/releases', async (request, reply) => {
    if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
      return reply.status(415).send({
        error: 'unsupported_media_type',
        field: 'content-type',
        message: `content-type: expected application/json, found ${JSON.stringify(request.headers['content-type'] ?? null)}`,
      });
    }
    const parsed = parseReleaseRequest(request.body);
    if (!parsed.ok)
      return reply
        .status(400)
        .send({ error: 'invalid_request', field: parsed.field, message: parsed.message });
    const key = request.headers['idempotency-key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 200)) {
      return reply.status(400).send({
        error: 'invalid_request',
        field: 'idempotency-key',
        message: 'idempotency-key: expected a header of 1-200 characters',
      });
    }
    const releaseId = key ? releaseIdFor(key, parsed.value) : randomUUID();
    const payload: ReleaseRequested = { releaseId, ...parsed.value, requestedAt: new Date() };
    const { created, view } = await store.create(
      requestedView(payload),
      options.requestEvent(payload),
      key,
    );
    if (created)
      logger.info(
        { releaseId, service: payload.service, version: payload.version },
        'release requested',
      );
    return reply.status(created ? 202 : 200).send(summary(view));
  });

  app.get<{ Params: { id: string } }>('/releases/:id', async (request, reply) => {
    const { id } = request.params;
    if (!RELEASE_ID.test(id))
      return reply.status(400).send({
        error: 'invalid_request',
        field: 'id',
        message: `id: expected a release id (UUID), found ${JSON.stringify(id)}`,
      });
    const view = await store.get(id);
    if (!view)
      return reply
        .status(404)
        .send({ error: 'not_found', field: 'id', message: `no release ${id}` });
    return view;
  });

  app.get<{ Querystring: { service?: string; limit?: string } }>(
    '/releases',
    async (request, reply) => {
      const limit = request.query.limit === undefined ? 20 : Number(request.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
        return reply.status(400).send({
          error: 'invalid_request',
          field: 'limit',
          message: `limit: expected an integer 1-500, found ${JSON.stringify(request.query.limit)}`,
        });
      }
      return { releases: await store.list({ service: request.query.service, limit }) };
    },
  );

  return app;
}

function summary(view: ReleaseView) {
  return {
    releaseId: view.releaseId,
    service: view.service,
    version: view.version,
    state: view.state,
    href: `/releases/${view.releaseId}`,
  };
}

/** The same key and request give the same release id (a UUID-shaped digest). */
function releaseIdFor(key: string, body: ReleaseRequestBody): string {
  const hex = createHash('sha256').update(`${key}\n${body.service}\n${body.version}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
