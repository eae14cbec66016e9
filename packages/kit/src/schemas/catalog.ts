import { readFile, readdir } from 'node:fs/promises';
import * as path from 'node:path';
import type * as avro from 'avsc';
import { JsonSyntaxProblem, jsonPath, locationAt, scanJson } from './json-text';
import { parseAvroType } from './logical-types';
import { SchemaFileError } from './schema-file-error';
import { findSchemaProblem } from './schema-structure';

/** One contract as written: the parsed .avsc JSON and where it came from (for messages). */
export interface SchemaSource {
  schema: unknown;
  /** File name or other label used in error messages. */
  source?: string;
}

export interface CatalogEntry {
  /** Full name of the top-level record, which is also the event type (`troupe.releases.Promoted`). */
  name: string;
  type: avro.Type;
  /** The schema as written, docs included: what gets registered. */
  schema: object;
  /** `schema` as compact JSON, the exact text sent to the registry. */
  schemaText: string;
  source: string;
}

/**
 * The reader schemas a service knows, by event type. Each file holds one event: a top-level
 * record whose full name is the event type. Files are self-contained (nested types are defined
 * inline), because a schema registered on its own must parse on its own.
 */
export class SchemaCatalog {
  private readonly byName: ReadonlyMap<string, CatalogEntry>;

  constructor(entries: Iterable<CatalogEntry>) {
    const byName = new Map<string, CatalogEntry>();
    for (const entry of entries) {
      const existing = byName.get(entry.name);
      if (existing) {
        throw new SchemaFileError(
          entry.source,
          '$.name',
          `event type "${entry.name}" is already defined in ${existing.source}`,
        );
      }
      byName.set(entry.name, entry);
    }
    this.byName = byName;
  }

  /** The event types, sorted. */
  get eventTypes(): string[] {
    return [...this.byName.keys()].sort();
  }

  has(eventType: string): boolean {
    return this.byName.has(eventType);
  }

  get(eventType: string): CatalogEntry | undefined {
    return this.byName.get(eventType);
  }

  entries(): CatalogEntry[] {
    return this.eventTypes.map((name) => this.byName.get(name) as CatalogEntry);
  }
}

/** Builds a catalog from schemas given in code (for instance the ones embedded in @troupe/contracts). */
export function createSchemaCatalog(sources: Iterable<SchemaSource>): SchemaCatalog {
  return new SchemaCatalog(
    [...sources].map((source, index) =>
      catalogEntry(source.schema, source.source ?? `schema #${index}`),
    ),
  );
}

/** Reads every `.avsc` under `dir`, recursively, in a stable order. */
export async function loadSchemaCatalog(dir: string): Promise<SchemaCatalog> {
  const files = await listSchemaFiles(dir);
  const entries: CatalogEntry[] = [];
  for (const file of files) entries.push(parseSchemaFile(await readFile(file, 'utf8'), file));
  return new SchemaCatalog(entries);
}

export async function listSchemaFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch (error) {
    throw new SchemaFileError(
      dir,
      '$',
      `cannot read the schema folder (${(error as Error).message})`,
      undefined,
      { cause: error },
    );
  }
  return names
    .filter((name) => name.endsWith('.avsc'))
    .sort()
    .map((name) => path.join(dir, name));
}

/**
 * Parses one .avsc text. Errors name the file, the position and the JSON path of the problem.
 * @param file used in messages only.
 */
export function parseSchemaFile(text: string, file: string): CatalogEntry {
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    throw jsonSyntaxError(text, file, error);
  }
  try {
    return catalogEntry(schema, file);
  } catch (error) {
    if (error instanceof SchemaFileError && error.location === undefined) {
      // Add the line and column of the offending value, now that we know its path.
      const offset = scanJson(text).get(error.jsonPath);
      if (offset !== undefined) {
        throw new SchemaFileError(file, error.jsonPath, error.problem, locationAt(text, offset), {
          cause: error.cause,
        });
      }
    }
    throw error;
  }
}

function jsonSyntaxError(text: string, file: string, parseError: unknown): SchemaFileError {
  try {
    scanJson(text);
  } catch (problem) {
    if (problem instanceof JsonSyntaxProblem) {
      return new SchemaFileError(file, '$', `invalid JSON: ${problem.problem}`, problem.location, {
        cause: parseError,
      });
    }
  }
  return new SchemaFileError(
    file,
    '$',
    `invalid JSON: ${(parseError as Error).message}`,
    undefined,
    { cause: parseError },
  );
}

function catalogEntry(schema: unknown, source: string): CatalogEntry {
  const top = schema as Record<string, unknown> | null;
  if (top === null || typeof top !== 'object' || Array.isArray(top) || top.type !== 'record') {
    const found = Array.isArray(top) ? 'a union' : JSON.stringify(top?.type ?? top);
    throw new SchemaFileError(
      source,
      '$.type',
      `expected a top-level "record" (one event per file), found ${found}`,
    );
  }
  const problem = findSchemaProblem(schema);
  if (problem) throw new SchemaFileError(source, problem.path, problem.problem);
  let type: avro.Type;
  try {
    type = parseAvroType(schema);
  } catch (error) {
    const message = (error as Error).message;
    throw new SchemaFileError(
      source,
      locateAvscError(schema, message),
      `invalid Avro schema: ${message}`,
      undefined,
      { cause: error },
    );
  }
  return {
    name: type.name as string,
    type,
    schema: schema as object,
    schemaText: JSON.stringify(schema),
    source,
  };
}

/**
 * avsc's messages quote the offending default value or schema node but not its place. Prefer a
 * field default the message quotes (the usual culprit), else the largest node it quotes.
 */
function locateAvscError(schema: unknown, message: string): string {
  let defaultPath: string | undefined;
  let best = { path: '$', length: 0 };
  const visit = (node: unknown, at: string): void => {
    if (node === null || typeof node !== 'object') return;
    if (!Array.isArray(node) && 'default' in node && defaultPath === undefined) {
      if (message.includes(`default ${JSON.stringify((node as { default: unknown }).default)}`)) {
        defaultPath = jsonPath(at, 'default');
      }
    }
    const text = JSON.stringify(node);
    if (message.includes(text) && text.length > best.length)
      best = { path: at, length: text.length };
    if (Array.isArray(node)) node.forEach((child, index) => visit(child, jsonPath(at, index)));
    else for (const [key, child] of Object.entries(node)) visit(child, jsonPath(at, key));
  };
  visit(schema, '$');
  return defaultPath ?? best.path;
}
