/**
 * Collects the named types (records, enums, fixed) of a set of Avro schemas and gives each a
 * TypeScript name: the short Avro name, or, where two namespaces use the same short name,
 * the last namespace segment in front (`AlertsSeverity`).
 */

export interface NamedType {
  fullName: string;
  namespace: string | undefined;
  kind: 'record' | 'enum' | 'fixed';
  schema: Record<string, unknown>;
  /** File it is defined in (first definition wins; later ones must be identical). */
  source: string;
  tsName: string;
}

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

export function fullNameOf(name: string, namespace: string | undefined): string {
  if (PRIMITIVES.has(name) || name.includes('.') || !namespace) return name;
  return `${namespace}.${name}`;
}

export function collectNamedTypes(
  schemas: { schema: unknown; source: string }[],
): Map<string, NamedType> {
  const types = new Map<string, NamedType>();
  const visit = (node: unknown, namespace: string | undefined, source: string): void => {
    if (Array.isArray(node)) return node.forEach((branch) => visit(branch, namespace, source));
    if (node === null || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    const kind = schema.type;
    if (typeof kind !== 'string') return visit(kind, namespace, source);
    if (kind === 'record' || kind === 'error' || kind === 'enum' || kind === 'fixed') {
      const name = schema.name as string;
      const ownNamespace =
        typeof schema.namespace === 'string' && schema.namespace ? schema.namespace : namespace;
      const fullName = fullNameOf(name, ownNamespace);
      const typeNamespace = fullName.includes('.')
        ? fullName.slice(0, fullName.lastIndexOf('.'))
        : undefined;
      const existing = types.get(fullName);
      if (existing) {
        if (JSON.stringify(existing.schema) !== JSON.stringify(schema)) {
          throw new Error(
            `${source}: type ${fullName} differs from its definition in ${existing.source}`,
          );
        }
        return;
      }
      types.set(fullName, {
        fullName,
        namespace: typeNamespace,
        kind: kind === 'error' ? 'record' : kind,
        schema,
        source,
        tsName: '',
      });
      if (kind === 'record' || kind === 'error') {
        for (const field of schema.fields as { type: unknown }[])
          visit(field.type, typeNamespace, source);
      }
      return;
    }
    if (kind === 'array') return visit(schema.items, namespace, source);
    if (kind === 'map') return visit(schema.values, namespace, source);
  };
  for (const { schema, source } of schemas) visit(schema, undefined, source);
  assignTsNames([...types.values()]);
  return types;
}

function assignTsNames(types: NamedType[]): void {
  const shortName = (type: NamedType) => type.fullName.slice(type.fullName.lastIndexOf('.') + 1);
  const byShort = new Map<string, NamedType[]>();
  for (const type of types)
    byShort.set(shortName(type), [...(byShort.get(shortName(type)) ?? []), type]);
  for (const [short, group] of byShort) {
    for (const type of group) {
      if (group.length === 1) {
        type.tsName = short;
      } else {
        const segment = type.namespace?.split('.').pop() ?? 'Default';
        type.tsName = pascal(segment) + short;
      }
    }
  }
  const taken = new Map<string, string>();
  for (const type of types) {
    const other = taken.get(type.tsName);
    if (other)
      throw new Error(
        `types ${other} and ${type.fullName} would both be called ${type.tsName} in TypeScript`,
      );
    taken.set(type.tsName, type.fullName);
  }
}

export function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

export function camel(text: string): string {
  const name = pascal(text);
  return name ? name[0]!.toLowerCase() + name.slice(1) : name;
}
