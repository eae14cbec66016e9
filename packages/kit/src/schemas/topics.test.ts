import * as path from 'node:path';
import { createSchemaCatalog, loadSchemaCatalog } from './catalog';
import { SchemaFileError } from './schema-file-error';
import { checkTopicsAgainstCatalog, loadTopics, parseTopics } from './topics';

const SCHEMAS_DIR = path.resolve(__dirname, '../../../../schemas');

function problemOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof SchemaFileError) return `${error.jsonPath}: ${error.problem}`;
    throw error;
  }
  throw new Error('expected a SchemaFileError');
}

describe('topics.json', () => {
  it('parses a topic with defaults', () => {
    expect(
      parseTopics({ topics: { 'a.events': { partitions: 3, eventTypes: ['t.A'] } } }, 'f'),
    ).toEqual([{ name: 'a.events', partitions: 3, config: {}, eventTypes: ['t.A'] }]);
  });

  it.each([
    [{}, '$.topics: expected an object of topic name → topic, found undefined'],
    [
      { topics: { 'a b': { partitions: 1, eventTypes: ['x'] } } },
      '$.topics["a b"]: invalid topic name "a b" (expected 1-249 of [A-Za-z0-9._-])',
    ],
    [{ topics: { a: { eventTypes: ['x'] } } }, '$.topics.a: missing "partitions"'],
    [
      { topics: { a: { partitions: 0, eventTypes: ['x'] } } },
      '$.topics.a.partitions: expected a positive integer, found 0',
    ],
    [
      { topics: { a: { partitions: 1, eventTypes: [] } } },
      '$.topics.a.eventTypes: expected a non-empty array of event type names',
    ],
    [
      { topics: { a: { partitions: 1, eventTypes: ['x'], config: { 'retention.ms': 1000 } } } },
      '$.topics.a.config["retention.ms"]: expected a string (Kafka configs are strings), found 1000',
    ],
  ])('rejects %j', (json, problem) => {
    expect(problemOf(() => parseTopics(json, 'topics.json'))).toBe(problem);
  });

  it('checks event types and keys against the catalog', () => {
    const catalog = createSchemaCatalog([
      {
        schema: {
          type: 'record',
          name: 'A',
          namespace: 't',
          fields: [{ name: 'id', type: 'string' }],
        },
        source: 'A.avsc',
      },
    ]);
    const unknown = parseTopics(
      { topics: { a: { partitions: 1, eventTypes: ['t.A', 't.B'] } } },
      'f',
    );
    expect(problemOf(() => checkTopicsAgainstCatalog(unknown, catalog, 'f'))).toBe(
      '$.topics.a.eventTypes[1]: unknown event type "t.B" (the catalog has t.A)',
    );
    const badKey = parseTopics(
      { topics: { a: { partitions: 1, key: 'releaseId', eventTypes: ['t.A'] } } },
      'f',
    );
    expect(problemOf(() => checkTopicsAgainstCatalog(badKey, catalog, 'f'))).toBe(
      '$.topics.a.eventTypes[0]: topic key "releaseId" is not a string field of t.A (A.avsc)',
    );
  });

  it('loads the repository topics.json, consistent with the schemas', async () => {
    const catalog = await loadSchemaCatalog(SCHEMAS_DIR);
    const topics = await loadTopics(path.join(SCHEMAS_DIR, 'topics.json'), catalog);
    expect(topics.map((topic) => topic.name)).toEqual([
      'releases.events',
      'telemetry.samples',
      'alerts.events',
    ]);
    const carried = topics.flatMap((topic) => topic.eventTypes).sort();
    expect(carried).toEqual(catalog.eventTypes);
  });
});
