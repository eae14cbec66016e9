import * as path from 'node:path';
import { createSchemaCatalog, loadSchemaCatalog, parseSchemaFile } from './catalog';
import { SchemaFileError } from './schema-file-error';

const SCHEMAS_DIR = path.resolve(__dirname, '../../../../schemas');

function errorOf(run: () => unknown): SchemaFileError {
  try {
    run();
  } catch (error) {
    if (error instanceof SchemaFileError) return error;
    throw error;
  }
  throw new Error('expected a SchemaFileError');
}

const record = (fields: string) =>
  `{\n  "type": "record",\n  "name": "Thing",\n  "namespace": "test",\n  "fields": [\n${fields}\n  ]\n}`;

describe('parseSchemaFile', () => {
  it('parses a valid event and names it by its full name', () => {
    const entry = parseSchemaFile(
      record('    { "name": "id", "type": "string" }'),
      'test/Thing.avsc',
    );
    expect(entry.name).toBe('test.Thing');
    expect(entry.source).toBe('test/Thing.avsc');
    expect(JSON.parse(entry.schemaText)).toEqual(entry.schema);
  });

  it('reports bad JSON with file, line, column and what was expected', () => {
    const error = errorOf(() =>
      parseSchemaFile(record('    { "name": "id", "type": "string", }'), 'bad.avsc'),
    );
    expect(error.code).toBe('SCHEMA_FILE_INVALID');
    expect(error.file).toBe('bad.avsc');
    expect(error.location).toMatchObject({ line: 6, column: 39 });
    expect(error.message).toBe(
      'bad.avsc:6:39 at $: invalid JSON: expected a property name in double quotes (trailing commas are not JSON), found "}"',
    );
  });

  it('reports a truncated file at its end', () => {
    const error = errorOf(() => parseSchemaFile('{ "type": "record"', 'cut.avsc'));
    expect(error.message).toBe(
      "cut.avsc:1:19 at $: invalid JSON: expected ',' or '}' after a property value, found end of input",
    );
  });

  it.each([
    [
      'an unknown type name',
      '    { "name": "id", "type": "strng" }',
      '$.fields[0].type',
      6,
      /unknown type "strng"/,
    ],
    [
      'a field without a type',
      '    { "name": "id" }',
      '$.fields[0]',
      6,
      /field "id" has no "type"/,
    ],
    [
      'a duplicate field',
      '    { "name": "id", "type": "string" },\n    { "name": "id", "type": "int" }',
      '$.fields[1].name',
      7,
      /duplicate field "id" \(also at index 0\)/,
    ],
    [
      'an invalid field name',
      '    { "name": "1st", "type": "string" }',
      '$.fields[0].name',
      6,
      /invalid field name "1st"/,
    ],
    [
      'a default of the wrong type',
      '    { "name": "count", "type": "int", "default": "zero" }',
      '$.fields[0].default',
      6,
      /invalid Avro schema: incompatible field default "zero"/,
    ],
    [
      'an enum default that is no symbol',
      '    { "name": "level", "type": { "type": "enum", "name": "Level", "symbols": ["LOW"], "default": "HIGH" } }',
      '$.fields[0].type.default',
      6,
      /enum default "HIGH" is not one of its symbols/,
    ],
    [
      'a union JavaScript cannot tell apart',
      '    { "name": "n", "type": ["int", "long"] }',
      '$.fields[0].type[1]',
      6,
      /union branches 0 and 1 both decode to a JS number/,
    ],
    [
      'timestamp-millis on an int',
      '    { "name": "at", "type": { "type": "int", "logicalType": "timestamp-millis" } }',
      '$.fields[0].type.type',
      6,
      /timestamp-millis annotates "long", found "int"/,
    ],
    [
      'an array without items',
      '    { "name": "tags", "type": { "type": "array" } }',
      '$.fields[0].type',
      6,
      /array type without "items"/,
    ],
  ])('reports %s with the JSON path and line', (_what, fields, jsonPath, line, problem) => {
    const error = errorOf(() => parseSchemaFile(record(fields), 'test/Thing.avsc'));
    expect(error.jsonPath).toBe(jsonPath);
    expect(error.location?.line).toBe(line);
    expect(error.problem).toMatch(problem);
    expect(error.message).toMatch(
      new RegExp(`^test/Thing\\.avsc:${line}:\\d+ at ${jsonPath.replace(/[[\].$]/g, '\\$&')}: `),
    );
  });

  it('requires a top-level record (one event per file)', () => {
    const error = errorOf(() =>
      parseSchemaFile('{ "type": "enum", "name": "E", "symbols": ["A"] }', 'e.avsc'),
    );
    expect(error.message).toBe(
      'e.avsc:1:11 at $.type: expected a top-level "record" (one event per file), found "enum"',
    );
  });

  it('requires named records', () => {
    const error = errorOf(() => parseSchemaFile('{ "type": "record", "fields": [] }', 'anon.avsc'));
    expect(error.message).toBe('anon.avsc:1:1 at $: "record" type without a "name"');
  });
});

describe('createSchemaCatalog', () => {
  const schema = { type: 'record', name: 'A', namespace: 'test', fields: [] };

  it('indexes events by full name', () => {
    const catalog = createSchemaCatalog([{ schema, source: 'a.avsc' }]);
    expect(catalog.eventTypes).toEqual(['test.A']);
    expect(catalog.get('test.A')?.source).toBe('a.avsc');
    expect(catalog.has('test.B')).toBe(false);
  });

  it('rejects the same event type defined twice, naming both files', () => {
    const error = errorOf(() =>
      createSchemaCatalog([
        { schema, source: 'a.avsc' },
        { schema, source: 'b.avsc' },
      ]),
    );
    expect(error.message).toBe(
      'b.avsc at $.name: event type "test.A" is already defined in a.avsc',
    );
  });
});

describe('loadSchemaCatalog', () => {
  it('loads every contract of the repository', async () => {
    const catalog = await loadSchemaCatalog(SCHEMAS_DIR);
    expect(catalog.eventTypes).toEqual([
      'troupe.alerts.AlertRaised',
      'troupe.releases.CanaryDegraded',
      'troupe.releases.CanaryStarted',
      'troupe.releases.Promoted',
      'troupe.releases.ReleaseRequested',
      'troupe.releases.RolledBack',
      'troupe.releases.TestsFailed',
      'troupe.releases.TestsPassed',
      'troupe.telemetry.RequestSamples',
    ]);
  });

  it('names a folder it cannot read', async () => {
    await expect(loadSchemaCatalog('/nonexistent/schemas')).rejects.toThrow(
      /^\/nonexistent\/schemas at \$: cannot read the schema folder/,
    );
  });
});
