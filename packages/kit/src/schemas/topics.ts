import { readFile } from 'node:fs/promises';
import type { SchemaCatalog } from './catalog';
import { JsonSyntaxProblem, jsonPath, locationAt, scanJson } from './json-text';
import { SchemaFileError } from './schema-file-error';

/**
 * Topics as code: `schemas/topics.json` says which topics exist, how they are configured and
 * which event types each carries. `troupe schemas register` registers each event's schema under
 * the subject of every topic carrying it; `troupe topics` creates and configures the topics.
 *
 * ```json
 * { "topics": { "releases.events": { "partitions": 6, "key": "releaseId",
 *     "config": { "retention.ms": "604800000" }, "eventTypes": ["troupe.releases.Promoted"] } } }
 * ```
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Left to the broker's default when absent. */
  replicationFactor?: number;
  /** The payload field every event on the topic is keyed by (the aggregate id). */
  key?: string;
  /** Kafka topic configs, values as strings as the admin API wants them. */
  config: Record<string, string>;
  eventTypes: string[];
}

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/** Validates the parsed topics file; errors carry the JSON path of the problem. */
export function parseTopics(json: unknown, file: string): TopicSpec[] {
  const fail = (at: string, problem: string): never => {
    throw new SchemaFileError(file, at, problem);
  };
  const root = json as { topics?: unknown } | null;
  if (root === null || typeof root !== 'object' || Array.isArray(root))
    fail('$', 'expected an object with "topics"');
  const topics = (root as { topics?: unknown }).topics;
  if (topics === null || typeof topics !== 'object' || Array.isArray(topics)) {
    fail('$.topics', `expected an object of topic name → topic, found ${JSON.stringify(topics)}`);
  }
  return Object.entries(topics as Record<string, unknown>).map(([name, value]) => {
    const at = jsonPath('$.topics', name);
    if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
      fail(at, `invalid topic name ${JSON.stringify(name)} (expected 1-249 of [A-Za-z0-9._-])`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value))
      fail(at, 'expected an object');
    const spec = value as Record<string, unknown>;
    const positive = (key: string): number | undefined => {
      const n = spec[key];
      if (n === undefined) return undefined;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
        fail(jsonPath(at, key), `expected a positive integer, found ${JSON.stringify(n)}`);
      }
      return n as number;
    };
    const partitions = positive('partitions');
    if (partitions === undefined) fail(at, 'missing "partitions"');
    const config = spec.config ?? {};
    if (config === null || typeof config !== 'object' || Array.isArray(config))
      fail(jsonPath(at, 'config'), 'expected an object');
    for (const [key, setting] of Object.entries(config as object)) {
      if (typeof setting !== 'string') {
        fail(
          jsonPath(jsonPath(at, 'config'), key),
          `expected a string (Kafka configs are strings), found ${JSON.stringify(setting)}`,
        );
      }
    }
    const eventTypes = spec.eventTypes;
    if (
      !Array.isArray(eventTypes) ||
      eventTypes.length === 0 ||
      !eventTypes.every((t) => typeof t === 'string')
    ) {
      fail(jsonPath(at, 'eventTypes'), 'expected a non-empty array of event type names');
    }
    if (spec.key !== undefined && typeof spec.key !== 'string')
      fail(jsonPath(at, 'key'), 'expected a field name');
    const replicationFactor = positive('replicationFactor');
    // Key order as a reader expects it; it is also the order of the generated topicSpecs.
    const topic: TopicSpec = {
      name,
      partitions: partitions as number,
      ...(replicationFactor === undefined ? {} : { replicationFactor }),
      ...(spec.key === undefined ? {} : { key: spec.key as string }),
      config: config as Record<string, string>,
      eventTypes: eventTypes as string[],
    };
    return topic;
  });
}

/** Every event type a topic lists must be in the catalog, and have the topic's key as a string field. */
export function checkTopicsAgainstCatalog(
  topics: TopicSpec[],
  catalog: SchemaCatalog,
  file: string,
): void {
  for (const topic of topics) {
    topic.eventTypes.forEach((eventType, index) => {
      const at = jsonPath(jsonPath(jsonPath('$.topics', topic.name), 'eventTypes'), index);
      const entry = catalog.get(eventType);
      if (!entry) {
        throw new SchemaFileError(
          file,
          at,
          `unknown event type "${eventType}" (the catalog has ${catalog.eventTypes.join(', ')})`,
        );
      }
      if (topic.key !== undefined) {
        const field = (entry.schema as { fields: { name: string; type: unknown }[] }).fields.find(
          (f) => f.name === topic.key,
        );
        if (!field || field.type !== 'string') {
          throw new SchemaFileError(
            file,
            at,
            `topic key "${topic.key}" is not a string field of ${eventType} (${entry.source})`,
          );
        }
      }
    });
  }
}

/** Reads and validates a topics file; with a catalog, also checks the event types against it. */
export async function loadTopics(file: string, catalog?: SchemaCatalog): Promise<TopicSpec[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SchemaFileError(
      file,
      '$',
      `cannot read the topics file (${(error as Error).message})`,
      undefined,
      { cause: error },
    );
  }
  try {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      scanJson(text); // throws the positioned problem
      throw error;
    }
    const topics = parseTopics(json, file);
    if (catalog) checkTopicsAgainstCatalog(topics, catalog, file);
    return topics;
  } catch (error) {
    throw positioned(error, text, file);
  }
}

function positioned(error: unknown, text: string, file: string): unknown {
  if (error instanceof SchemaFileError && !error.location) {
    const offset = safeScan(text)?.get(error.jsonPath);
    return offset === undefined
      ? error
      : new SchemaFileError(file, error.jsonPath, error.problem, locationAt(text, offset));
  }
  if (error instanceof JsonSyntaxProblem) {
    return new SchemaFileError(file, '$', `invalid JSON: ${error.problem}`, error.location);
  }
  return error;
}

function safeScan(text: string): Map<string, number> | undefined {
  try {
    return scanJson(text);
  } catch {
    return undefined;
  }
}
