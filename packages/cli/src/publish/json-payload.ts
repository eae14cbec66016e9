import type * as avro from 'avsc';

/**
 * A payload as a user writes it in JSON, checked against and turned into what avsc writes.
 *
 * The JSON has the shape of the generated TypeScript types (`@troupe/contracts`): unions are
 * plain values (`"x"` or `null`, never `{ "string": "x" }`), optional fields (`["null", T]`
 * with a default) may be left out, longs are JSON numbers (safe integers). Where the types have
 * a value JSON cannot hold, the JSON has the text `troupe trace --payload` prints for it:
 * timestamp-millis (`Date`) is an ISO-8601 time, bytes and fixed (`Buffer`) are base64.
 */
export interface PayloadProblem {
  /** Dotted path of the offending value (`details.region`, `failedTests.2`); '' for the payload. */
  path: string;
  expected: string;
  found: string;
}

export type PayloadResult = { ok: true; value: unknown } | { ok: false; problem: PayloadProblem };

/** A problem found while converting: an undeclared field, or (shape) no object where a record belongs. */
interface CollectedProblem extends PayloadProblem {
  shape?: boolean;
}

/** The payload in avsc's terms, or the first value that does not fit the schema. */
export function payloadFromJson(type: avro.Type, json: unknown): PayloadResult {
  const undeclared: CollectedProblem[] = [];
  const value = convert(type, json, [], undeclared);
  // A value where a record belongs: avsc would look for its fields in it (in an array, say).
  const shape = undeclared.find((problem) => problem.shape);
  if (shape) return { ok: false, problem: withoutShape(shape) };
  let first: { path: string[]; type: avro.Type } | undefined;
  type.isValid(value, {
    errorHook: (path, _value, failedType) => {
      first ??= { path: [...path], type: failedType };
    },
  });
  if (first) {
    const found = valueAt(json, first.path);
    return {
      ok: false,
      problem: {
        path: first.path.join('.'),
        expected: describeType(first.type),
        found: found.present ? describeValue(found.value) : 'nothing (the field is missing)',
      },
    };
  }
  const extra = undeclared.find((problem) => !problem.shape);
  if (extra) return { ok: false, problem: withoutShape(extra) };
  return { ok: true, value };
}

/** One line: `at requestedAt: expected …, found …`. */
export function describeProblem(problem: PayloadProblem): string {
  return `at ${problem.path || '(the payload itself)'}: expected ${problem.expected}, found ${problem.found}`;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Converts what can be converted and leaves anything else as it was, for isValid to report
 * (with the JSON value at its path). Fields a record does not declare are collected as problems.
 */
function convert(
  type: avro.Type,
  value: unknown,
  path: string[],
  undeclared: CollectedProblem[],
): unknown {
  const name = type.typeName;
  if (name === 'logical:timestamp-millis') {
    if (typeof value === 'string' && ISO_TIME.test(value.trim())) {
      const millis = Date.parse(value.trim());
      if (!Number.isNaN(millis)) return new Date(millis);
    }
    return value;
  }
  if (name === 'bytes' || name === 'fixed') {
    return typeof value === 'string' && BASE64.test(value) ? Buffer.from(value, 'base64') : value;
  }
  if (name === 'record' || name === 'error') {
    if (!isPlainObject(value)) {
      if (value !== undefined)
        undeclared.push({
          path: path.join('.'),
          expected: describeType(type),
          found: describeValue(value),
          shape: true,
        });
      return value;
    }
    const record = type as avro.types.RecordType;
    const out: Record<string, unknown> = {};
    for (const field of record.fields) {
      if (Object.prototype.hasOwnProperty.call(value, field.name))
        out[field.name] = convert(field.type, value[field.name], [...path, field.name], undeclared);
    }
    const known = new Set(record.fields.map((f) => f.name));
    for (const key of Object.keys(value)) {
      if (!known.has(key))
        undeclared.push({
          path: [...path, key].join('.'),
          expected: `no such field (${record.name ?? 'the record'} has ${record.fields.map((f) => f.name).join(', ')})`,
          found: describeValue(value[key]),
        });
    }
    return out;
  }
  if (name === 'array') {
    if (!Array.isArray(value)) return value;
    const items = (type as avro.types.ArrayType).itemsType;
    return value.map((item, i) => convert(items, item, [...path, String(i)], undeclared));
  }
  if (name === 'map') {
    if (!isPlainObject(value)) return value;
    const values = (type as avro.types.MapType).valuesType;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, convert(values, v, [...path, k], undeclared)]),
    );
  }
  if (name === 'union:unwrapped') {
    const branches = (type as avro.types.UnwrappedUnionType).types;
    if (value === null) return value;
    // The first branch the value converts into; else the only non-null branch's conversion, so
    // the problem is reported inside it (`details.region`) rather than at the union.
    const candidates = branches.filter((b) => b.typeName !== 'null');
    for (const branch of candidates) {
      const scratch: CollectedProblem[] = [];
      const converted = convert(branch, value, path, scratch);
      if (scratch.length === 0 && branch.isValid(converted)) return converted;
    }
    const only = candidates.length === 1 ? candidates[0] : undefined;
    return only ? convert(only, value, path, undeclared) : value;
  }
  return value;
}

function withoutShape(problem: CollectedProblem): PayloadProblem {
  const { shape: _shape, ...rest } = problem;
  return rest;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function valueAt(json: unknown, path: string[]): { present: boolean; value?: unknown } {
  let at: unknown = json;
  for (const segment of path) {
    if (Array.isArray(at) && /^\d+$/.test(segment) && Number(segment) < at.length)
      at = at[Number(segment)];
    else if (isPlainObject(at) && Object.prototype.hasOwnProperty.call(at, segment))
      at = at[segment];
    else return { present: false };
  }
  return at === undefined ? { present: false } : { present: true, value: at };
}

/** The expected value in the JSON's terms. */
export function describeType(type: avro.Type): string {
  const name = type.typeName;
  switch (name) {
    case 'logical:timestamp-millis':
      return 'an ISO-8601 time such as 2026-12-02T10:00:00Z (timestamp-millis)';
    case 'record':
    case 'error':
      return `an object (record ${type.name ?? ''})`.replace(' )', ')');
    case 'enum':
      return `one of ${(type as avro.types.EnumType).symbols.map((s) => JSON.stringify(s)).join(', ')}`;
    case 'union:unwrapped':
    case 'union:wrapped':
      return (type as avro.types.UnwrappedUnionType).types.map(describeType).join(' or ');
    case 'null':
      return 'null';
    case 'boolean':
      return 'true or false';
    case 'int':
      return 'an integer (int, 32-bit)';
    case 'long':
      return 'an integer (long, up to ±9007199254740990)';
    case 'float':
    case 'double':
      return `a number (${name})`;
    case 'string':
      return 'a string';
    case 'bytes':
      return 'base64 text (bytes)';
    case 'fixed':
      return `base64 text of ${(type as avro.types.FixedType).size} bytes (fixed)`;
    case 'array':
      return `an array of ${describeType((type as avro.types.ArrayType).itemsType)}`;
    case 'map':
      return `an object of ${describeType((type as avro.types.MapType).valuesType)} (map)`;
    default:
      return `a ${name}`;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  const text = JSON.stringify(value) ?? String(value);
  const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  const kind = Array.isArray(value) ? 'array' : typeof value;
  return `${kind} ${shown}`;
}
