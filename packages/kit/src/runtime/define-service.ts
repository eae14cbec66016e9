import type { DependencyBreaker } from '../breaker/dependency-breaker';
import { TroupeError } from '../errors';
import type { Envelope } from '../events/envelope';
import type { EventContext, Middleware, PublishOptions } from '../middleware/types';
import type { PermanentErrorPredicate } from '../retry/classify';

/**
 * `{ [event type full name]: payload type }`, e.g. the `EventTypes` map @troupe/contracts
 * generates from the Avro schemas. An interface works: no index signature is required.
 */
export type EventMap = object;

/** Which topic each published event type goes to. */
export type PublishMap<E extends EventMap> = { readonly [K in keyof E & string]?: string };

/** The context a handler gets: EventContext with `publish` typed by the service's declarations. */
export interface HandlerContext<
  E extends EventMap = Record<string, unknown>,
  P extends PublishMap<E> = PublishMap<E>,
> extends Omit<EventContext, 'publish' | 'outcome' | 'failure' | 'attempts'> {
  /** Handler calls made so far in this delivery (1 on the first call). */
  readonly attempts: number;
  publish<K extends keyof P & keyof E & string>(
    type: K,
    payload: E[K],
    options: PublishOptions,
  ): Promise<Envelope>;
  breaker(name: string): DependencyBreaker;
}

export type EventHandler<T, E extends EventMap, P extends PublishMap<E>> = (
  payload: T,
  ctx: HandlerContext<E, P>,
) => Promise<void> | void;

export interface HandlerSpec<T, E extends EventMap, P extends PublishMap<E>> {
  handle: EventHandler<T, E, P>;
  /** Breakers this handler calls through: while one is open its events wait, the handler is not called. */
  dependsOn?: readonly string[];
  /** Overrides the service's handler timeout for this event type (ms; 0 disables). */
  timeoutMs?: number;
}

export type ConsumeMap<E extends EventMap, P extends PublishMap<E>> = {
  [K in keyof E & string]?: EventHandler<E[K], E, P> | HandlerSpec<E[K], E, P>;
};

export interface ServiceDefinition<
  E extends EventMap = Record<string, unknown>,
  P extends PublishMap<E> = PublishMap<E>,
> {
  /** Also the consumer group id and the CloudEvents source of what it publishes. */
  name: string;
  /** Topics to subscribe to; events whose type has no handler are skipped. */
  topics: readonly string[];
  consumes: ConsumeMap<E, P>;
  /** Event type → topic for everything handlers publish. */
  publishes?: P;
  /** Your middleware: runs inside retry and breaker, just outside the handler's timeout. */
  middleware?: readonly Middleware[];
  /** Extra rule for errors retrying cannot fix (sent straight to the DLQ). */
  isPermanentError?: PermanentErrorPredicate;
}

/** The service definition is unusable (no topics, no handlers, a bad name). */
export class ServiceDefinitionError extends TroupeError {
  constructor(service: string, message: string) {
    super('SERVICE_INVALID', `service ${JSON.stringify(service)}: ${message}`);
  }
}

const NAME = /^[A-Za-z0-9._-]{1,200}$/;

/**
 * Declares a service, typed by an event map:
 *
 * ```ts
 * const approver = defineService<EventTypes>()({
 *   name: 'release-approver',
 *   topics: ['releases'],
 *   publishes: { 'troupe.releases.ReleaseApproved': 'releases' },
 *   consumes: {
 *     'troupe.releases.ReleaseRequested': async (request, ctx) => {
 *       await ctx.publish('troupe.releases.ReleaseApproved', { releaseId: request.releaseId }, { key: request.releaseId });
 *     },
 *   },
 * });
 * ```
 * The two calls let you name the event map while the publish map is inferred from `publishes`.
 */
export function defineService<E extends EventMap = Record<string, unknown>>() {
  return <const P extends PublishMap<E> = Record<never, string>>(
    definition: ServiceDefinition<E, P>,
  ): ServiceDefinition<E, P> => {
    validateDefinition(definition as unknown as ServiceDefinition);
    return definition;
  };
}

export function validateDefinition(definition: ServiceDefinition): void {
  const name = definition.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ServiceDefinitionError(
      String(name),
      'expected a name of 1-200 letters, digits, ".", "_" or "-"',
    );
  }
  if (
    !Array.isArray(definition.topics) ||
    definition.topics.length === 0 ||
    definition.topics.some((t) => typeof t !== 'string' || t === '')
  ) {
    throw new ServiceDefinitionError(
      name,
      `expected a non-empty list of topic names in "topics", found ${JSON.stringify(definition.topics)}`,
    );
  }
  const types = Object.keys(definition.consumes ?? {});
  if (types.length === 0)
    throw new ServiceDefinitionError(name, 'expected at least one handler in "consumes"');
  for (const type of types) {
    const entry = (definition.consumes as Record<string, unknown>)[type];
    const handle =
      typeof entry === 'function' ? entry : (entry as { handle?: unknown } | undefined)?.handle;
    if (typeof handle !== 'function')
      throw new ServiceDefinitionError(
        name,
        `consumes["${type}"]: expected a function or { handle }`,
      );
  }
  for (const [type, topic] of Object.entries(definition.publishes ?? {})) {
    if (typeof topic !== 'string' || topic === '')
      throw new ServiceDefinitionError(
        name,
        `publishes["${type}"]: expected a topic name, found ${JSON.stringify(topic)}`,
      );
  }
}

/** A consumes entry as the runtime uses it. */
export interface ResolvedHandler {
  handle: (payload: unknown, ctx: EventContext) => Promise<void> | void;
  dependsOn: readonly string[];
  timeoutMs?: number;
}

export function resolveHandlers(definition: ServiceDefinition): Map<string, ResolvedHandler> {
  const handlers = new Map<string, ResolvedHandler>();
  for (const [type, entry] of Object.entries(definition.consumes as Record<string, unknown>)) {
    if (typeof entry === 'function') {
      handlers.set(type, { handle: entry as ResolvedHandler['handle'], dependsOn: [] });
    } else {
      const spec = entry as {
        handle: ResolvedHandler['handle'];
        dependsOn?: readonly string[];
        timeoutMs?: number;
      };
      handlers.set(type, {
        handle: spec.handle,
        dependsOn: spec.dependsOn ?? [],
        timeoutMs: spec.timeoutMs,
      });
    }
  }
  return handlers;
}
