import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { RegistryError } from '../errors';
import type { CredentialCheck } from '../auth/credentials';
import type { RegistryService } from '../registry-service';
import { installAccessControl } from './access';
import { emptyBodyIsNoBody, type JsonBodyParser } from './json-body';
import { compatibilityRoutes } from './routes-compatibility';
import { configRoutes } from './routes-config';
import { schemaRoutes } from './routes-schemas';
import { subjectRoutes } from './routes-subjects';

export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Request bodies Confluent clients send; all are parsed as JSON (with application/json). */
const JSON_CONTENT_TYPES = [
  REGISTRY_CONTENT_TYPE,
  'application/vnd.schemaregistry+json',
  'application/octet-stream',
];

export interface HttpServerOptions {
  readonly service: RegistryService;
  readonly logger: Logger;
  /** Largest request body accepted; larger ones get 413. Default 1 MiB. */
  readonly bodyLimitBytes?: number;
  /** Basic authentication and per-route roles (http/access.ts); none means every request is let in. */
  readonly credentials?: CredentialCheck;
  /** PEM certificate (chain) and key: the server speaks HTTPS (node:https) instead of HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/**
 * The REST front: Confluent's paths, content types and error bodies. Every failure — a RegistryError,
 * a body that is too large or not JSON, an unknown path — is answered as `{error_code, message}`.
 */
export function buildHttpServer({
  service,
  logger,
  bodyLimitBytes = 1024 * 1024,
  credentials,
  tls,
}: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: bodyLimitBytes,
    routerOptions: { maxParamLength: 1000 },
    requestTimeout: 30_000,
    ...(tls ? { https: { cert: tls.cert, key: tls.key } } : {}),
  }) as unknown as FastifyInstance;

  // Fastify's own application/json parser refuses empty bodies: replaced, so that every JSON type
  // gets the same answer. Its default parser is callback-style (typed as a union with promise-style).
  const parseJson = app.getDefaultJsonParser('error', 'error') as JsonBodyParser;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    ['application/json', ...JSON_CONTENT_TYPES],
    { parseAs: 'string' },
    emptyBodyIsNoBody(parseJson),
  );

  app.addHook('onSend', async (_request, reply, payload) => {
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.startsWith('application/json'))
      reply.header('content-type', REGISTRY_CONTENT_TYPE);
    return payload;
  });

  app.setErrorHandler((error: FastifyError | RegistryError, request, reply) => {
    if (error instanceof RegistryError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return reply.code(error.status).send(error.toJSON());
    }
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const message =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `Request body is too large: the limit is ${bodyLimitBytes} bytes`
          : error.message;
      return reply.code(status).send({ error_code: status, message });
    }
    request.log.error({ err: error, method: request.method, url: request.url }, 'request failed');
    return reply
      .code(500)
      .send({ error_code: 500, message: `Internal Server Error: ${error.message}` });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error_code: 404,
      message: `HTTP 404 Not Found: no route for ${request.method} ${request.url}`,
    }),
  );

  if (credentials) installAccessControl(app, credentials);
  configRoutes(app, service);
  subjectRoutes(app, service);
  schemaRoutes(app, service);
  compatibilityRoutes(app, service);
  return app;
}
