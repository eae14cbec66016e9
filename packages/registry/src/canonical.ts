/**
 * Canonical text of an Avro schema, used as the identity of a schema: two registrations get the same
 * id exactly when their canonical texts are equal.
 *
 * Unlike Avro's "Parsing Canonical Form" (which drops defaults, aliases, doc and logical types), this
 * form keeps every attribute that changes how a schema resolves or what it means — defaults, aliases,
 * field order, logicalType, precision/scale, doc and custom properties — and removes only what is
 * presentation: whitespace, key order, and the several ways of spelling a name (`name` + `namespace`,
 * a dotted `name`, a namespace inherited from the enclosing type). It is also a valid schema itself, and
 * it is what the registry returns for an id.
 *
 * Input must already be a valid Avro schema (parsed by avsc first); this module only rewrites it.
 */

const PRIMITIVES = new Set([
  'null',
  'boolean',
  'int',
  'long',
  'float',
  'double',
  'bytes',
  'string',
]);
const NAMED = new Set(['record', 'error', 'enum', 'fixed']);
const CONTAINERS = new Set(['array', 'map']);

/** Keys written first, in this order, for a type object; any other key follows, sorted. */
const TYPE_KEY_ORDER = [
  'type',
  'name',
  'namespace',
  'fields',
  'symbols',
  'size',
  'items',
  'values',
  'default',
  'logicalType',
  'precision',
  'scale',
  'doc',
  'aliases',
];
const FIELD_KEY_ORDER = ['name', 'type', 'default', 'order', 'aliases', 'doc'];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Returns the canonical JSON text of `schema` (a parsed, valid Avro schema). */
export function canonicalSchema(schema: unknown): string {
  return JSON.stringify(canonicalType(schema as Json, ''));
}

function canonicalType(schema: Json, namespace: string): Json {
  if (typeof schema === 'string')
    return PRIMITIVES.has(schema) ? schema : qualify(schema, namespace);
  if (Array.isArray(schema)) return schema.map((branch) => canonicalType(branch, namespace));
  if (schema === null || typeof schema !== 'object') return schema;

  const type = schema.type;
  if (typeof type !== 'string') {
    // `{"type": {...}}` or `{"type": [...]}`: the wrapper adds nothing but the wrapped type.
    return canonicalType(type ?? null, namespace);
  }
  const out: Record<string, Json> = {};
  let inner = namespace;
  if (NAMED.has(type) && typeof schema.name === 'string') {
    const fullName = qualify(
      schema.name,
      typeof schema.namespace === 'string' ? schema.namespace : namespace,
    );
    inner = namespaceOf(fullName);
    out.type = type;
    out.name = fullName;
    // A null namespace inside a namespaced type must be spelled out, or re-parsing would inherit one.
    if (inner === '' && namespace !== '') out.namespace = '';
    if (Array.isArray(schema.aliases)) {
      out.aliases = schema.aliases.map((alias) =>
        typeof alias === 'string' ? qualify(alias, inner) : alias,
      );
    }
  } else if (PRIMITIVES.has(type) || CONTAINERS.has(type)) {
    out.type = type;
  } else {
    out.type = qualify(type, namespace); // `{"type": "Name"}`: a reference to a named type
  }

  for (const [key, value] of Object.entries(schema)) {
    if (key in out || key === 'name' || key === 'namespace') continue;
    if (key === 'fields' && Array.isArray(value)) {
      out.fields = value.map((field) => canonicalField(field, inner));
    } else if (key === 'items' || key === 'values') {
      out[key] = canonicalType(value, inner);
    } else {
      out[key] = sortKeys(value);
    }
  }

  const keys = Object.keys(out);
  // A primitive or a reference written as an object with nothing else (`{"type":"int"}`) is itself.
  if (keys.length === 1 && !NAMED.has(type) && !CONTAINERS.has(type)) return out.type as string;
  return ordered(out, TYPE_KEY_ORDER);
}

function canonicalField(field: Json, namespace: string): Json {
  if (field === null || typeof field !== 'object' || Array.isArray(field)) return field;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(field)) {
    if (key === 'type') out.type = canonicalType(value, namespace);
    else if (key === 'order' && value === 'ascending')
      continue; // the default order
    else out[key] = sortKeys(value);
  }
  return ordered(out, FIELD_KEY_ORDER);
}

function qualify(name: string, namespace: string): string {
  return name.includes('.') || namespace === '' ? name : `${namespace}.${name}`;
}

function namespaceOf(fullName: string): string {
  const dot = fullName.lastIndexOf('.');
  return dot < 0 ? '' : fullName.slice(0, dot);
}

function ordered(object: Record<string, Json>, first: readonly string[]): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const key of first) if (key in object) out[key] = object[key] as Json;
  for (const key of Object.keys(object).sort()) if (!(key in out)) out[key] = object[key] as Json;
  return out;
}

/** Plain JSON values (defaults, custom properties) compare equal whatever their key order. */
function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, Json> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key] as Json);
  return out;
}
