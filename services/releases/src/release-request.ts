/** A valid POST /releases body. */
export interface ReleaseRequestBody {
  service: string;
  version: string;
  canaryShare: number;
  requestedBy: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

const SERVICE = /^[a-z][a-z0-9-]{0,62}$/;
const VERSION = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;
const FIELDS = ['service', 'version', 'canaryShare', 'requestedBy'];

/**
 * What was found, bounded and flat: a scalar as JSON (a long string cut at 40 characters), an
 * array or object by its kind only. Never the whole value: a nested one may be thousands deep
 * (JSON.stringify would overflow the stack) and a long one would be echoed back in full.
 */
function describe(found: unknown): string {
  if (found === undefined) return 'nothing';
  if (Array.isArray(found)) return 'an array';
  if (found !== null && typeof found === 'object') return 'an object';
  if (typeof found === 'string' && found.length > 40)
    return `${JSON.stringify(found.slice(0, 40))}… (${found.length} characters)`;
  return JSON.stringify(found);
}

/** Validates a POST /releases body; a failure names the first bad field and what it expected. */
export function parseReleaseRequest(body: unknown): Parsed<ReleaseRequestBody> {
  const fail = (field: string, expected: string, found: unknown): Parsed<never> => ({
    ok: false,
    field,
    message: `${field}: expected ${expected}, found ${describe(found)}`,
  });
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return fail('body', 'a JSON object { service, version, canaryShare }', body);
  const input = body as Record<string, unknown>;
  const unknownField = Object.keys(input).find((key) => !FIELDS.includes(key));
  if (unknownField !== undefined)
    return fail(unknownField, `no such field (allowed: ${FIELDS.join(', ')})`, input[unknownField]);
  const { service, version, canaryShare, requestedBy } = input;
  if (typeof service !== 'string' || !SERVICE.test(service))
    return fail(
      'service',
      'a service name: lowercase letters, digits and "-", starting with a letter, at most 63',
      service,
    );
  if (typeof version !== 'string' || !VERSION.test(version))
    return fail('version', 'a version of 1-100 letters, digits, ".", "_", "+" or "-"', version);
  if (
    typeof canaryShare !== 'number' ||
    !Number.isFinite(canaryShare) ||
    canaryShare <= 0 ||
    canaryShare > 1
  )
    return fail('canaryShare', 'a number greater than 0 and at most 1', canaryShare);
  if (
    requestedBy !== undefined &&
    (typeof requestedBy !== 'string' || requestedBy.length === 0 || requestedBy.length > 100)
  )
    return fail('requestedBy', 'a string of 1-100 characters', requestedBy);
  return {
    ok: true,
    value: {
      service,
      version,
      canaryShare,
      requestedBy: (requestedBy as string | undefined) ?? 'api',
    },
  };
}
