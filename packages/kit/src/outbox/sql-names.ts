import { ConfigError } from '../errors';

/** A schema-qualified table whose name was validated once, quoted for SQL. */
export interface QualifiedTable {
  schema: string;
  table: string;
  /** `"schema"."table"` */
  sql: string;
  /** A quoted name derived from the table's (index names): `"table_suffix"`. */
  derived(suffix: string): string;
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** PostgreSQL truncates names at 63 bytes; keep room for the longest index suffix. */
const MAX_TABLE_LENGTH = 40;

/**
 * Only plain lower-case identifiers: they are interpolated into SQL (identifiers cannot be bind
 * parameters), so anything else is refused at construction rather than escaped.
 */
export function qualifiedTable(schema: string, table: string, option: string): QualifiedTable {
  if (!IDENTIFIER.test(schema) || schema.length > 63) {
    throw new ConfigError(
      `${option}.schema`,
      'a lower-case SQL identifier ([a-z_][a-z0-9_]*)',
      schema,
    );
  }
  if (!IDENTIFIER.test(table) || table.length > MAX_TABLE_LENGTH) {
    throw new ConfigError(
      `${option}.table`,
      `a lower-case SQL identifier ([a-z_][a-z0-9_]*) of at most ${MAX_TABLE_LENGTH} characters`,
      table,
    );
  }
  return {
    schema,
    table,
    sql: `"${schema}"."${table}"`,
    derived: (suffix) => `"${table}_${suffix}"`,
  };
}
