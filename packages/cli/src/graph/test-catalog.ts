import type { ChoreographyException } from '@troupe/kit';
import type { CatalogedService, SystemCatalog } from '@troupe/kit/internal';

/** A service of a hand-built catalog, as its definition and Publisher routes would declare it. */
export interface ServiceSketch {
  subscribes?: string[];
  handles?: string[];
  /** From handlers: event type → topic. */
  publishes?: Record<string, string>;
  /** Through a Publisher or outbox: event type → topic. */
  publisher?: Record<string, string>;
}

/**
 * A SystemCatalog for unit tests, built the way buildSystemCatalog builds one (a handler's topics
 * are the subscribed topics carrying its type) but without files: `topics` is topic → event
 * types; `schemas` defaults to every type a topic carries.
 */
export function testCatalog(spec: {
  services: Record<string, ServiceSketch>;
  topics: Record<string, string[]>;
  schemas?: string[];
  allow?: ChoreographyException[];
}): SystemCatalog {
  const services = Object.entries(spec.services).map(([name, sketch]): CatalogedService => {
    const subscribes = sketch.subscribes ?? [];
    return {
      name,
      file: `${name}.ts`,
      groups: subscribes.length > 0 ? [name] : [],
      subscribes,
      consumes: (sketch.handles ?? []).map((eventType) => ({
        eventType,
        topics: subscribes.filter((t) => spec.topics[t]?.includes(eventType)),
        dependsOn: [],
      })),
      publishes: [
        ...Object.entries(sketch.publishes ?? {}).map(([eventType, topic]) => ({
          eventType,
          topic,
          path: 'handler' as const,
        })),
        ...Object.entries(sketch.publisher ?? {}).map(([eventType, topic]) => ({
          eventType,
          topic,
          path: 'publisher' as const,
        })),
      ],
      failureTopics: subscribes.map((topic) => ({
        topic,
        retry: [`${topic}.retry.1`],
        deadLetter: `${topic}.dlq`,
      })),
      dedup: false,
    };
  });
  const schemas = spec.schemas ?? [...new Set(Object.values(spec.topics).flat())];
  return {
    services: services.sort((a, b) => a.name.localeCompare(b.name)),
    topics: Object.entries(spec.topics)
      .map(([name, eventTypes]) => ({ name, partitions: 1, config: {}, eventTypes }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    events: schemas.sort().map((type) => ({ type, schema: {}, file: `${type}.avsc` })),
    allow: spec.allow ?? [],
    retryTopicDelaysMs: [1000],
  };
}
