import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError, Environment, readVariable } from '@troupe/kit';
import type { SettingDoc } from '@troupe/kit/internal';
import type { onRequestAsyncHookHandler } from 'fastify';

/**
 * Optional bearer-token authentication for the release API (RFC 6750).
 *
 * With a token configured, every request except to the `open` routes (the health checks) must carry
 * `Authorization: Bearer <token>`; otherwise it answers 401 with `WWW-Authenticate: Bearer` before
 * its body is read. The comparison is constant-time: both tokens are hashed (SHA-256) and the
 * digests compared with crypto.timingSafeEqual, so neither the content nor the length leaks through
 * timing. The token is never logged, never quoted in an error, and never echoed in a response.
 */

/** RFC 6750 b64token, at least 16 characters: a guessable token is worse than none. */
const TOKEN = /^[A-Za-z0-9\-._~+/]{16,}=*$/;
const EXPECTED = 'a bearer token: at least 16 of A-Z a-z 0-9 - . _ ~ + /, then any =';
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** The token setting (or its `_FILE`), undefined when unset; a malformed one fails, redacted. */
export function readBearerToken(env: Environment, setting: SettingDoc): string | undefined {
  const token = readVariable(env, setting.name);
  if (token === undefined) return undefined;
  if (!TOKEN.test(token)) throw new ConfigError(setting.name, EXPECTED, '(redacted)');
  return token;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** An onRequest hook refusing requests without the token; routes in `open` pass untouched. */
export function requireBearerToken(
  token: string,
  open: ReadonlySet<string>,
): onRequestAsyncHookHandler {
  const expected = digest(token);
  return async (request, reply) => {
    const route = request.routeOptions.url;
    if (route !== undefined && open.has(route)) return;
    const header = request.headers.authorization;
    const presented = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return;
    const challenge =
      header === undefined
        ? 'Bearer realm="releases"'
        : 'Bearer realm="releases", error="invalid_token"';
    return reply
      .status(401)
      .header('www-authenticate', challenge)
      .send({
        error: 'unauthorized',
        field: 'authorization',
        message:
          header === undefined
            ? 'authorization: expected a header "Bearer <token>", found nothing'
            : 'authorization: expected "Bearer <token>" with the configured token, found another',
      });
  };
}
