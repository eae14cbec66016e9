import type { ServiceDefinition } from '../runtime/define-service';

/**
 * The rules of the choreography check (`troupe graph --check`), each a way events can fall on
 * the floor or circle forever:
 * - `unconsumed`: a type some service publishes and no service handles;
 * - `unpublished`: a type some service handles and no service publishes;
 * - `unsubscribed-handler`: a handler for a type whose topic (in topics.json) its service does
 *   not subscribe to, so it never runs;
 * - `unknown-topic`: a type published to, or a service subscribed to, a topic topics.json does
 *   not declare;
 * - `type-not-on-topic`: a type published to a declared topic whose `eventTypes` leave it out
 *   (no schema is registered for it there, so the publish fails);
 * - `unknown-event-type`: a type handled or published that has no schema in schemas/;
 * - `unterminated-cycle`: event types that cause each other in a loop with no way out to a type
 *   that ends a flow.
 */
export const CHOREOGRAPHY_RULES = [
  'unconsumed',
  'unpublished',
  'unsubscribed-handler',
  'unknown-topic',
  'type-not-on-topic',
  'unknown-event-type',
  'unterminated-cycle',
] as const;
/** One of CHOREOGRAPHY_RULES. */
export type ChoreographyRule = (typeof CHOREOGRAPHY_RULES)[number];

/**
 * A finding of the choreography check that is intended: it matches a finding of `rule` when each
 * of `eventType`, `service` and `topic` it names is the finding's. `reason` is required: the
 * exception is documentation as much as configuration.
 */
export interface ChoreographyException {
  rule: ChoreographyRule;
  eventType?: string;
  service?: string;
  topic?: string;
  reason: string;
}

/**
 * One service of the system as the catalog sees it. A consuming service gives its `definition`
 * (name, consumer group, topics, handlers and what they publish); what it publishes outside its
 * handlers — through a `Publisher` or an outbox — is `publishes`, the same event type → topic map
 * its code hands to them as `routes`. A service that only publishes gives `name` and `publishes`.
 */
export interface CatalogService {
  // The catalog reads definitions of any event map; their handlers are never called.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  definition?: ServiceDefinition<any, any, any>;
  /** Required without a definition; with one, it is the definition's. */
  name?: string;
  /** Event type → topic, for what it publishes outside its handlers. */
  publishes?: Readonly<Record<string, string>>;
  /** One sentence: what the service does (shown in the AsyncAPI document). */
  description?: string;
}

/**
 * What a project declares in its `troupe.config.ts` (default export): the files holding its
 * services and where its contracts are. `troupe graph`, `troupe graph --check` and
 * `troupe asyncapi` read it without connecting to anything.
 */
export interface CatalogDeclaration {
  /**
   * Service files, relative to the config file. Each default-exports a `CatalogService` or a
   * service definition; building it must not connect to anything (pass `notConnected(…)` for
   * dependencies only handlers use).
   */
  services: readonly string[];
  /** The Avro contracts folder, relative to the config file. Default `schemas`. */
  schemas?: string;
  /** The topics file, relative to the config file. Default `<schemas>/topics.json`. */
  topics?: string;
  /** Findings of the choreography check that are intended. */
  allow?: readonly ChoreographyException[];
}

/** Types a `troupe.config.ts` default export. */
export function defineCatalog(declaration: CatalogDeclaration): CatalogDeclaration {
  return declaration;
}

/** A service file's default export: a service, typed. */
export function catalogService(service: CatalogService): CatalogService {
  return service;
}

/**
 * A stand-in for a dependency a definition needs only inside its handlers (a Redis client, a
 * store), so the definition can be built for the catalog without connecting. Any use throws,
 * naming the dependency.
 */
export function notConnected<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_target, property) {
      // Promise resolution probes `then`: answer it, so a stand-in can be awaited past.
      if (property === 'then') return undefined;
      throw new Error(
        `${what} is not connected: it stands in for the catalog, which reads service definitions without running them (used: ${String(property)})`,
      );
    },
  });
}
