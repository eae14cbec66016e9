import { createHash } from 'node:crypto';
import { Type } from 'avsc';
import { canonicalSchema } from './canonical';
import { invalidSchema } from './errors';

/** A schema the registry accepted: its avsc type (for compatibility checks) and its identity. */
export interface AvroSchema {
  readonly type: Type;
  /** Canonical text (see canonical.ts): what the registry stores and returns. */
  readonly canonical: string;
  /** sha256 of `canonical`, hex: a short, fixed-size identity used in log record keys. */
  readonly hash: string;
}

/**
 * Parses schema text as sent in a registration (`{"schema": "<text>"}`), throwing 42201 with the
 * parser's reason when it is not valid JSON or not a valid Avro schema.
 */
export function parseAvroSchema(text: unknown): AvroSchema {
  if (typeof text !== 'string' || text.trim() === '') {
    throw invalidSchema(`expected the schema as a non-empty JSON string, found ${describe(text)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw invalidSchema(`schema text is not JSON (${(error as Error).message})`);
  }
  let type: Type;
  try {
    type = Type.forSchema(json as Parameters<typeof Type.forSchema>[0]);
  } catch (error) {
    throw invalidSchema((error as Error).message);
  }
  const canonical = canonicalSchema(json);
  return { type, canonical, hash: hashOf(canonical) };
}

export function hashOf(canonical: string): string {
  return createHash('sha256').update(canonical).digest('hex');
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  return `a ${Array.isArray(value) ? 'list' : typeof value}`;
}
