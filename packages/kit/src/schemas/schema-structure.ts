import { jsonPath } from './json-text';

/**
 * Checks the structure of an Avro schema and reports the first problem with its JSON path.
 * avsc finds the same mistakes but its messages do not say where they are; this walk does, and
 * avsc still has the last word (defaults, unwrappable unions) when the walk finds nothing.
 */

export interface SchemaProblem {
  path: string;
  problem: string;
}

/** Full name → kind (record, enum, fixed) of the named types defined so far. */
type Defined = Map<string, string>;

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
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

class Found extends Error {
  constructor(readonly found: SchemaProblem) {
    super(found.problem);
  }
}

export function findSchemaProblem(schema: unknown): SchemaProblem | undefined {
  const defined: Defined = new Map();
  try {
    walkType(schema, '$', undefined, defined);
    return undefined;
  } catch (error) {
    if (error instanceof Found) return error.found;
    throw error;
  }
}

function report(path: string, problem: string): never {
  throw new Found({ path, problem });
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function walkType(
  schema: unknown,
  path: string,
  namespace: string | undefined,
  defined: Defined,
): void {
  if (typeof schema === 'string') return checkReference(schema, path, namespace, defined);
  if (Array.isArray(schema)) return walkUnion(schema, path, namespace, defined);
  if (schema === null || typeof schema !== 'object') {
    report(
      path,
      `expected a type (a type name, an object or a union array), found ${show(schema)}`,
    );
  }
  const node = schema as Record<string, unknown>;
  const type = node.type;
  if (type === undefined) report(path, 'missing "type"');
  if (typeof type !== 'string') return walkType(type, jsonPath(path, 'type'), namespace, defined);
  switch (type) {
    case 'record':
    case 'error':
      return walkRecord(node, path, namespace, defined);
    case 'enum':
      return walkEnum(node, path, namespace, defined);
    case 'fixed': {
      defineName(node, path, namespace, defined);
      const size = node.size;
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
        report(jsonPath(path, 'size'), `expected a non-negative integer size, found ${show(size)}`);
      }
      return;
    }
    case 'array':
      if (node.items === undefined) report(path, 'array type without "items"');
      return walkType(node.items, jsonPath(path, 'items'), namespace, defined);
    case 'map':
      if (node.values === undefined) report(path, 'map type without "values"');
      return walkType(node.values, jsonPath(path, 'values'), namespace, defined);
    default:
      checkReference(type, jsonPath(path, 'type'), namespace, defined);
      checkLogicalType(node, type, path);
  }
}

function checkLogicalType(node: Record<string, unknown>, type: string, path: string): void {
  if (node.logicalType === 'timestamp-millis' && type !== 'long') {
    report(jsonPath(path, 'type'), `timestamp-millis annotates "long", found ${show(type)}`);
  }
}

function checkReference(
  name: string,
  path: string,
  namespace: string | undefined,
  defined: Defined,
): void {
  if (PRIMITIVES.has(name)) return;
  const fullName = name.includes('.') || !namespace ? name : `${namespace}.${name}`;
  if (defined.has(fullName)) return;
  const known = [...PRIMITIVES, ...defined.keys()].join(', ');
  report(
    path,
    `unknown type ${show(name)} (expected a primitive or a named type defined earlier: ${known})`,
  );
}

function walkUnion(
  branches: unknown[],
  path: string,
  namespace: string | undefined,
  defined: Defined,
): void {
  if (branches.length === 0) report(path, 'empty union');
  const seen = new Map<string, number>();
  const buckets = new Map<string, number>();
  branches.forEach((branch, index) => {
    const branchPath = jsonPath(path, index);
    if (Array.isArray(branch)) report(branchPath, 'a union cannot directly contain another union');
    walkType(branch, branchPath, namespace, defined);
    const key = branchKey(branch, namespace);
    const earlier = seen.get(key);
    if (earlier !== undefined)
      report(branchPath, `duplicate union branch ${show(key)} (also at index ${earlier})`);
    seen.set(key, index);
    // Unions decode to plain values (`string | null`), so branches must differ in JS kind.
    const bucket = jsBucket(branch, namespace, defined);
    const sameBucket = buckets.get(bucket);
    if (sameBucket !== undefined) {
      report(
        branchPath,
        `union branches ${sameBucket} and ${index} both decode to a JS ${bucket}, so values could not tell them apart`,
      );
    }
    buckets.set(bucket, index);
  });
}

/** The JS kind a union branch decodes to, as avsc's unwrapped unions tell branches apart. */
function jsBucket(branch: unknown, namespace: string | undefined, defined: Defined): string {
  let kind: string;
  if (typeof branch === 'string') {
    kind = PRIMITIVES.has(branch) ? branch : (defined.get(branchKey(branch, namespace)) ?? branch);
  } else {
    const node = branch as Record<string, unknown>;
    if (typeof node.type !== 'string') return jsBucket(node.type, namespace, defined);
    if (node.logicalType === 'timestamp-millis') return 'Date';
    kind =
      PRIMITIVES.has(node.type) ||
      ['record', 'error', 'enum', 'fixed', 'array', 'map'].includes(node.type)
        ? node.type
        : (defined.get(branchKey(node.type, namespace)) ?? node.type);
  }
  const buckets: Record<string, string> = {
    int: 'number',
    long: 'number',
    float: 'number',
    double: 'number',
    bytes: 'Buffer',
    fixed: 'Buffer',
    enum: 'string',
    string: 'string',
    record: 'object',
    error: 'object',
    map: 'object',
  };
  return buckets[kind] ?? kind;
}

/** Branches of a union must differ by type name (named types by full name). */
function branchKey(branch: unknown, namespace: string | undefined): string {
  if (typeof branch === 'string') {
    return PRIMITIVES.has(branch) || branch.includes('.') || !namespace
      ? branch
      : `${namespace}.${branch}`;
  }
  const node = branch as Record<string, unknown>;
  if (typeof node.name === 'string') return fullNameOf(node, namespace).fullName;
  return typeof node.type === 'string'
    ? branchKey(node.type, namespace)
    : JSON.stringify(node.type);
}

function fullNameOf(node: Record<string, unknown>, namespace: string | undefined) {
  const name = node.name as string;
  const ownNamespace =
    typeof node.namespace === 'string' && node.namespace !== '' ? node.namespace : namespace;
  if (name.includes('.'))
    return { fullName: name, namespace: name.slice(0, name.lastIndexOf('.')) };
  return { fullName: ownNamespace ? `${ownNamespace}.${name}` : name, namespace: ownNamespace };
}

function defineName(
  node: Record<string, unknown>,
  path: string,
  namespace: string | undefined,
  defined: Defined,
) {
  const name = node.name;
  if (name === undefined) report(path, `${show(node.type)} type without a "name"`);
  if (typeof name !== 'string' || !name.split('.').every((part) => NAME.test(part))) {
    report(
      jsonPath(path, 'name'),
      `invalid name ${show(name)} (expected letters, digits and _, not starting with a digit)`,
    );
  }
  if (node.namespace !== undefined && node.namespace !== '') {
    const ns = node.namespace;
    if (typeof ns !== 'string' || !ns.split('.').every((part) => NAME.test(part))) {
      report(
        jsonPath(path, 'namespace'),
        `invalid namespace ${show(ns)} (expected dot-separated names)`,
      );
    }
  }
  const names = fullNameOf(node, namespace);
  if (PRIMITIVES.has(name))
    report(jsonPath(path, 'name'), `${show(name)} is a primitive type name`);
  if (defined.has(names.fullName))
    report(jsonPath(path, 'name'), `type ${show(names.fullName)} is defined twice`);
  defined.set(names.fullName, node.type as string);
  return names;
}

function walkRecord(
  node: Record<string, unknown>,
  path: string,
  namespace: string | undefined,
  defined: Defined,
) {
  const names = defineName(node, path, namespace, defined);
  const fields = node.fields;
  if (!Array.isArray(fields))
    report(jsonPath(path, 'fields'), `expected an array of fields, found ${show(fields)}`);
  const seen = new Map<string, number>();
  (fields as unknown[]).forEach((field, index) => {
    const fieldPath = jsonPath(jsonPath(path, 'fields'), index);
    if (field === null || typeof field !== 'object' || Array.isArray(field)) {
      report(fieldPath, `expected a field object with "name" and "type", found ${show(field)}`);
    }
    const { name, type } = field as Record<string, unknown>;
    if (typeof name !== 'string' || !NAME.test(name)) {
      report(
        jsonPath(fieldPath, 'name'),
        `invalid field name ${show(name)} (expected letters, digits and _)`,
      );
    }
    const earlier = seen.get(name);
    if (earlier !== undefined)
      report(
        jsonPath(fieldPath, 'name'),
        `duplicate field ${show(name)} (also at index ${earlier})`,
      );
    seen.set(name, index);
    if (type === undefined) report(fieldPath, `field ${show(name)} has no "type"`);
    walkType(type, jsonPath(fieldPath, 'type'), names.namespace, defined);
  });
}

function walkEnum(
  node: Record<string, unknown>,
  path: string,
  namespace: string | undefined,
  defined: Defined,
) {
  defineName(node, path, namespace, defined);
  const symbols = node.symbols;
  if (!Array.isArray(symbols))
    report(jsonPath(path, 'symbols'), `expected an array of symbols, found ${show(symbols)}`);
  const seen = new Set<string>();
  (symbols as unknown[]).forEach((symbol, index) => {
    const symbolPath = jsonPath(jsonPath(path, 'symbols'), index);
    if (typeof symbol !== 'string' || !NAME.test(symbol))
      report(symbolPath, `invalid enum symbol ${show(symbol)}`);
    if (seen.has(symbol)) report(symbolPath, `duplicate enum symbol ${show(symbol)}`);
    seen.add(symbol);
  });
  if (node.default !== undefined && !seen.has(node.default as string)) {
    report(
      jsonPath(path, 'default'),
      `enum default ${show(node.default)} is not one of its symbols`,
    );
  }
}
