import type { FastifyRequest } from 'fastify';

/** Fastify's callback-style body parser: `done(error)` refuses the request, `done(null, body)` sets `request.body`. */
export type JsonBodyParser = (
  request: FastifyRequest,
  body: string,
  done: (error: Error | null, body?: unknown) => void,
) => void;

/**
 * `parse`, except that an empty (or whitespace-only) body is no body: `request.body` is `undefined`,
 * as if the request had none. Confluent's clients send `Content-Type: application/vnd.schemaregistry.v1+json`
 * on every request, bodiless DELETEs included, and Fastify's JSON parser refuses an empty JSON body
 * (400 "Body cannot be empty"). Whether a body is required is the route's call: one that needs a
 * body refuses `undefined` with Confluent's 422 (see `params.ts`). Any other body goes to `parse`
 * unchanged, so malformed JSON and prototype poisoning are still refused there.
 */
export function emptyBodyIsNoBody(parse: JsonBodyParser): JsonBodyParser {
  return function parseUnlessEmpty(this: unknown, request, body, done) {
    if (body.trim() === '') {
      done(null, undefined);
      return;
    }
    // `this` is the Fastify instance; passed on because Fastify calls parsers with it.
    parse.call(this, request, body, done);
  };
}
