import type { PublishPath, SystemCatalog } from '@troupe/kit/internal';

/** A service, or an event type on one topic: what a picture of the choreography draws. */
export interface GraphNode {
  /** Safe in every format: letters, digits and `_`, starting with a letter. */
  id: string;
  /** What is drawn: a service's name; an event type's short name (after the last dot). */
  label: string;
  /** The full name: a service's, an event type's (shown as a tooltip or comment). */
  title: string;
}

export interface TopicCluster {
  id: string;
  topic: string;
  /** The topic, with `(+ retry, dlq)` when its subscribers' failures go to retry and dead-letter topics. */
  label: string;
  /** The event types drawn inside it: those published to it or handled from it. */
  events: GraphNode[];
}

/** `publish` edges run service → event type, by path; `consume` edges event type → service. */
export type EdgeKind = PublishPath | 'consume';

export interface GraphEdge {
  from: string;
  to: string;
  kind: EdgeKind;
}

/**
 * The choreography as a graph, the one model every format renders: services; a cluster per
 * topic holding the event types that go through it (a type on two topics is a node in each);
 * edges for what each service publishes (by path) and handles. Types handled from no subscribed
 * topic are `unplaced`. Everything is sorted, so a rendering is byte-for-byte stable.
 *
 * Retry and dead-letter topics are not drawn as topics: every subscribed topic has them, the
 * same way, and a node each would triple the picture to say one thing. The topic's label says it.
 */
export interface ChoreographyGraph {
  services: GraphNode[];
  topics: TopicCluster[];
  unplaced: GraphNode[];
  edges: GraphEdge[];
}

export function choreographyGraph(catalog: SystemCatalog): ChoreographyGraph {
  const ids = new UniqueIds();
  const services = catalog.services.map((service) => ({
    id: ids.make(`service_${service.name}`),
    label: service.name,
    title: service.name,
  }));
  const serviceId = new Map(services.map((node) => [node.title, node.id]));

  // Every (topic, type) an edge touches; '' for "on no subscribed topic".
  const placements = new Map<string, { topic: string; type: string }>();
  const place = (topic: string, type: string): string => {
    const key = `${topic}\0${type}`;
    placements.set(key, { topic, type });
    return key;
  };
  const pending: { from: string; to: string; kind: EdgeKind }[] = [];
  for (const service of catalog.services) {
    const id = serviceId.get(service.name)!;
    for (const p of service.publishes)
      pending.push({ from: id, to: place(p.topic, p.eventType), kind: p.path });
    for (const c of service.consumes)
      for (const topic of c.topics.length > 0 ? c.topics : [''])
        pending.push({ from: place(topic, c.eventType), to: id, kind: 'consume' });
  }

  const sorted = [...placements.entries()].sort(
    ([, a], [, b]) => a.topic.localeCompare(b.topic) || a.type.localeCompare(b.type),
  );
  const shortNames = new Map<string, Set<string>>();
  for (const [, { type }] of sorted)
    shortNames.set(shortName(type), (shortNames.get(shortName(type)) ?? new Set()).add(type));
  // The short name, unless two types drawn share it.
  const label = (type: string) =>
    shortNames.get(shortName(type))!.size > 1 ? type : shortName(type);
  const eventId = new Map<string, string>();
  const clusters = new Map<string, TopicCluster>();
  const unplaced: GraphNode[] = [];
  for (const [key, { topic, type }] of sorted) {
    const node = {
      id: ids.make(`event_${topic || 'none'}_${shortName(type)}`),
      label: label(type),
      title: type,
    };
    eventId.set(key, node.id);
    if (topic === '') {
      unplaced.push(node);
      continue;
    }
    if (!clusters.has(topic))
      clusters.set(topic, {
        id: ids.make(`topic_${topic}`),
        topic,
        label: topicLabel(catalog, topic),
        events: [],
      });
    clusters.get(topic)!.events.push(node);
  }

  const resolve = (end: string) => eventId.get(end) ?? end;
  const seen = new Set<string>();
  const edges = pending
    .map((edge) => ({ from: resolve(edge.from), to: resolve(edge.to), kind: edge.kind }))
    .filter((edge) => {
      const key = `${edge.from} ${edge.to} ${edge.kind}`;
      return !seen.has(key) && Boolean(seen.add(key));
    })
    .sort(
      (a, b) =>
        a.from.localeCompare(b.from) || a.to.localeCompare(b.to) || a.kind.localeCompare(b.kind),
    );
  return { services, topics: [...clusters.values()], unplaced, edges };
}

/** `troupe.releases.RolledBack` → `RolledBack`. */
export function shortName(type: string): string {
  return type.slice(type.lastIndexOf('.') + 1);
}

function topicLabel(catalog: SystemCatalog, topic: string): string {
  if (!catalog.topics.some((t) => t.name === topic)) return `${topic} (not in topics.json)`;
  const failures = catalog.services
    .flatMap((s) => s.failureTopics)
    .filter((f) => f.topic === topic);
  if (failures.length === 0) return topic;
  return failures.some((f) => f.retry.length > 0) ? `${topic} (+ retry, dlq)` : `${topic} (+ dlq)`;
}

/** Ids of letters, digits and `_`; a second thing that sanitizes to the same id gets `_2`. */
class UniqueIds {
  private readonly used = new Set<string>();

  make(name: string): string {
    const base = name.replace(/[^A-Za-z0-9_]/g, '_');
    let id = base;
    for (let n = 2; this.used.has(id); n++) id = `${base}_${n}`;
    this.used.add(id);
    return id;
  }
}
