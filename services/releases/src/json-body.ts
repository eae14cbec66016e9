import type { FastifyInstance } from 'fastify';

/**
 * The release API's request bodies: how large and how deep a JSON body may be.
 *
 * - Size: at most BODY_LIMIT_BYTES, enforced by fastify's `bodyLimit` while the body streams in
 *   (a larger Content-Length is refused before a byte is read); a bigger body answers 413.
 * - Depth: fastify's own JSON parser (secure-json-parse: JSON.parse, then its iterative
 *   prototype-poisoning scan) does not overflow the stack at any depth, but whatever walks the
 *   value afterwards recursively does (JSON.stringify overflows between 4,000 and 5,000 levels, and
 *   an 8,000-deep array fits in 16 KiB). So the parser below refuses, with a 400, any body nested
 *   deeper than MAX_JSON_DEPTH, measured iteratively before any handler sees the value.
 */

/**
 * 16 KiB. A constant, not a setting: the largest valid POST /releases body is under 400 bytes
 * (service 63, version 100, requestedBy 100 characters and a number), so no legitimate client
 * comes near it and there is nothing to tune; a setting would only be a way to loosen the guard.
 */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** A valid body is one object of scalars (depth 1); 8 leaves room and refuses anything odd. */
export const MAX_JSON_DEPTH = 8;

/** A JSON body nested deeper than MAX_JSON_DEPTH: a 400, never a stack overflow or a 500. */
export class JsonDepthError extends Error {
  readonly code = 'RELEASES_JSON_TOO_DEEP';
  readonly statusCode = 400;
  constructor(limit: number) {
    super(`expected JSON nested at most ${limit} levels deep, found deeper nesting`);
    this.name = 'JsonDepthError';
  }
}

/**
 * Replaces fastify's application/json parser with the same parser (prototype poisoning refused)
 * followed by the depth check. The body limit stays fastify's (`bodyLimit`).
 */
export function useBoundedJsonParser(app: FastifyInstance, maxDepth = MAX_JSON_DEPTH): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) =>
    parse(request, typeof body === 'string' ? body : body.toString('utf8'), (error, value) => {
      if (error) return done(error, undefined);
      if (nestedDeeperThan(value, maxDepth)) return done(new JsonDepthError(maxDepth), undefined);
      done(null, value);
    }),
  );
}

/** Whether a parsed JSON value nests arrays/objects deeper than `limit` (top level = 1). Iterative. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [node, depth] = next;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
