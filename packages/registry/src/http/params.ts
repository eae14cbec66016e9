import { invalidVersion, schemaNotFound, unprocessableEntity } from '../errors';
import type { RegisterRequest, VersionSpec } from '../registry-service';

/** Request path and query shapes shared by the route files. */
export interface SubjectParams {
  subject: string;
}
export interface SubjectVersionParams extends SubjectParams {
  version: string;
}
export interface IdParams {
  id: string;
}
export interface FlagsQuery {
  deleted?: string;
  permanent?: string;
  verbose?: string;
  defaultToGlobal?: string;
}

const MAX_VERSION = 2 ** 31 - 1;

/** `latest`, `-1` (Confluent's alias for latest) or an integer in [1, 2^31-1]; otherwise 42202. */
export function parseVersion(text: string): VersionSpec {
  if (text === 'latest' || text === '-1') return 'latest';
  if (!/^\d{1,10}$/.test(text)) throw invalidVersion(text);
  const version = Number(text);
  if (version < 1 || version > MAX_VERSION) throw invalidVersion(text);
  return version;
}

/** A schema id in the path; anything that cannot be an id cannot name a schema (40403). */
export function parseId(text: string): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) < 1)
    throw schemaNotFound(`Schema ${text} not found`);
  return Number(text);
}

/** Query flags are true only when spelled `true` (any case), as Confluent reads them. */
export function flag(value: string | undefined): boolean {
  return typeof value === 'string' && value.toLowerCase() === 'true';
}

/** The body of a register/lookup/compatibility request: a JSON object. */
export function schemaRequestBody(body: unknown): RegisterRequest {
  return objectBody(body, '{"schema": "<Avro schema as a JSON string>"}') as RegisterRequest;
}

/** The body of a config update; Confluent reads `compatibility` (some clients send `compatibilityLevel`). */
export function compatibilityBody(body: unknown): unknown {
  const object = objectBody(body, '{"compatibility": "BACKWARD"}');
  return object.compatibility ?? object.compatibilityLevel;
}

function objectBody(body: unknown, expected: string): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    const found =
      body === undefined ? 'no body' : Array.isArray(body) ? 'a JSON array' : `JSON ${typeof body}`;
    throw unprocessableEntity(
      `Request body: expected a JSON object like ${expected}; found ${found}`,
    );
  }
  return body as Record<string, unknown>;
}
