import Fastify, { type FastifyRequest } from 'fastify';
import { emptyBodyIsNoBody, type JsonBodyParser } from './json-body';

/** Runs `parser` on `body` and reports what it handed to Fastify. */
function parseWith(parser: JsonBodyParser, body: string): { error: Error | null; body?: unknown } {
  let result: { error: Error | null; body?: unknown } | undefined;
  parser({} as FastifyRequest, body, (error, parsed) => {
    result = { error, body: parsed };
  });
  if (result === undefined) throw new Error('parser did not call done');
  return result;
}

describe('emptyBodyIsNoBody', () => {
  // Fastify's real parser, as the registry uses it: refuses empty bodies, malformed JSON, __proto__.
  const fastifyJson = Fastify().getDefaultJsonParser('error', 'error') as JsonBodyParser;
  const parse = emptyBodyIsNoBody(fastifyJson);

  it('makes an empty or blank body no body, where Fastify would refuse it', () => {
    expect(parseWith(fastifyJson, '').error).toMatchObject({ code: 'FST_ERR_CTP_EMPTY_JSON_BODY' });
    expect(parseWith(parse, '')).toEqual({ error: null, body: undefined });
    expect(parseWith(parse, ' \r\n\t')).toEqual({ error: null, body: undefined });
  });

  it('leaves every other body to the wrapped parser', () => {
    expect(parseWith(parse, '{"schema": "\\"int\\""}')).toEqual({
      error: null,
      body: { schema: '"int"' },
    });
    expect(parseWith(parse, 'null')).toEqual({ error: null, body: null });
    expect(parseWith(parse, '{"schema": ').error).toMatchObject({
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
    expect(parseWith(parse, '{"__proto__": {"polluted": true}}').error).toBeInstanceOf(Error);
  });
});
