import { failureTopicsFor } from '../retry/retry-topics';
import { validateDefinition, type StartPosition } from '../runtime/define-service';
import type { CatalogEntry } from '../schemas/catalog';
import type { TopicSpec } from '../schemas/topics';
import { CatalogError } from './catalog-error';
import type { CatalogService, ChoreographyException } from './declaration';

/** How an event leaves a service: from a handler (`ctx.publish`), or a Publisher or outbox. */
export type PublishPath = 'handler' | 'publisher';

export interface CatalogedService {
  name: string;
  /** The service file it was read from, relative to the project root. */
  file: string;
  description?: string;
  /** Consumer groups: the service's own and, when it has retry topics, `<name>.retry`. None for a service that only publishes. */
  groups: string[];
  /** The topics its definition subscribes to. */
  subscribes: string[];
  /** What it handles: each type with the subscribed topics that carry it by topics.json (none: the handler never runs). */
  consumes: { eventType: string; topics: string[]; dependsOn: string[] }[];
  publishes: { eventType: string; topic: string; path: PublishPath }[];
  /** The retry topics (in order) and the dead-letter topic of each subscribed topic. */
  failureTopics: { topic: string; retry: string[]; deadLetter: string }[];
  dedup: boolean;
  startFrom?: StartPosition;
}

export interface CatalogedEvent {
  /** The record's full name: the CloudEvents type. */
  type: string;
  /** The schema as written (docs included). */
  schema: object;
  /** Its file, relative to the project root. */
  file: string;
}

/**
 * The system as its code declares it, read without connecting to anything: services, event
 * types (every schema of the contracts folder) and topics (topics.json). Lists are sorted by
 * name so everything rendered from it is stable.
 */
export interface SystemCatalog {
  services: CatalogedService[];
  topics: TopicSpec[];
  events: CatalogedEvent[];
  allow: ChoreographyException[];
  /** The retry topic delays the services run with (TROUPE_RETRY_TOPIC_DELAYS). */
  retryTopicDelaysMs: number[];
}

export interface CatalogSources {
  /** Each service file's default export, with the file (relative to the project root). */
  services: readonly { file: string; service: CatalogService }[];
  topics: readonly TopicSpec[];
  schemas: readonly (CatalogEntry & { file: string })[];
  allow?: readonly ChoreographyException[];
  retryTopicDelaysMs: readonly number[];
}

const byName = <T extends { name: string }>(a: T, b: T) => a.name.localeCompare(b.name);

/** Builds the catalog; throws CatalogError naming the service file whose export is unusable. */
export function buildSystemCatalog(sources: CatalogSources): SystemCatalog {
  const topicsByType = new Map<string, string[]>();
  for (const topic of sources.topics)
    for (const type of topic.eventTypes)
      topicsByType.set(type, [...(topicsByType.get(type) ?? []), topic.name]);
  const services = sources.services.map(({ file, service }) =>
    catalogService(file, service, topicsByType, sources.retryTopicDelaysMs),
  );
  const seen = new Map<string, string>();
  for (const service of services) {
    const other = seen.get(service.name);
    if (other)
      throw new CatalogError(
        service.file,
        `service ${service.name} is also declared by ${other}: a name is a consumer group, one service each`,
      );
    seen.set(service.name, service.file);
  }
  return {
    services: services.sort(byName),
    topics: [...sources.topics].sort(byName),
    events: sources.schemas
      .map((s) => ({ type: s.name, schema: s.schema, file: s.file }))
      .sort((a, b) => a.type.localeCompare(b.type)),
    allow: [...(sources.allow ?? [])],
    retryTopicDelaysMs: [...sources.retryTopicDelaysMs],
  };
}

function catalogService(
  file: string,
  service: CatalogService,
  topicsByType: ReadonlyMap<string, string[]>,
  delaysMs: readonly number[],
): CatalogedService {
  const fail = (problem: string): never => {
    throw new CatalogError(file, problem);
  };
  if (service === null || typeof service !== 'object')
    fail(
      `expected a default export of a service definition or { definition, publishes }, found ${String(service)}`,
    );
  // A bare definition (it has handlers) or an entry around one.
  const entry: CatalogService = 'consumes' in service ? { definition: service as never } : service;
  const definition = entry.definition;
  if (definition) {
    try {
      validateDefinition(definition);
    } catch (error) {
      fail(error instanceof Error ? error.message : String(error));
    }
  }
  const name = definition?.name ?? entry.name;
  if (typeof name !== 'string' || name === '') fail('a service without a definition needs a name');
  if (definition && entry.name !== undefined && entry.name !== definition.name)
    fail(`name ${entry.name} differs from its definition's, ${definition.name}`);
  const extra = entry.publishes ?? {};
  for (const [type, topic] of Object.entries(extra))
    if (typeof topic !== 'string' || topic === '')
      fail(`publishes["${type}"]: expected a topic name, found ${JSON.stringify(topic)}`);
  if (!definition && Object.keys(extra).length === 0)
    fail(`service ${name} has no definition and publishes nothing`);

  const subscribes = [...(definition?.topics ?? [])];
  const failureTopics = subscribes.map((topic) => ({
    topic,
    ...failureTopicsFor(topic, delaysMs),
  }));
  const consumes = Object.entries(definition?.consumes ?? {}).map(([eventType, handler]) => ({
    eventType,
    topics: (topicsByType.get(eventType) ?? []).filter((t) => subscribes.includes(t)),
    dependsOn: [
      ...((typeof handler === 'object' && handler !== null && handler.dependsOn) || []),
    ] as string[],
  }));
  const publishes = [
    ...Object.entries((definition?.publishes ?? {}) as Record<string, string>).map(
      ([eventType, topic]) => ({ eventType, topic, path: 'handler' as const }),
    ),
    ...Object.entries(extra).map(([eventType, topic]) => ({
      eventType,
      topic,
      path: 'publisher' as const,
    })),
  ];
  return {
    name: name!,
    file,
    ...(entry.description === undefined ? {} : { description: entry.description }),
    groups: definition
      ? [name!, ...(failureTopics.some((f) => f.retry.length > 0) ? [`${name}.retry`] : [])]
      : [],
    subscribes,
    consumes: consumes.sort((a, b) => a.eventType.localeCompare(b.eventType)),
    publishes: publishes.sort(
      (a, b) => a.eventType.localeCompare(b.eventType) || a.path.localeCompare(b.path),
    ),
    failureTopics,
    dedup: definition?.dedup !== undefined && definition.dedup !== false,
    ...(definition?.startFrom === undefined ? {} : { startFrom: definition.startFrom }),
  };
}
