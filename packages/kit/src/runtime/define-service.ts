import type { DependencyBreaker } from '../breaker/dependency-breaker';
import type { DedupMiddlewareOptions, OnceFunction } from '../dedup/middleware';
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

/**
 * The context a handler gets: EventContext with `publish` typed by the service's declarations,
 * and `once` present exactly when the service is defined with `dedup`.
 */
export type HandlerContext<
  E extends EventMap = Record<string, unknown>,
  P extends PublishMap<E> = PublishMap<E>,
  WithDedup extends boolean = false,
> = BaseHandlerContext<E, P> & (WithDedup extends true ? DedupContext : unknown);

/** What a handler of a service with `dedup` has besides the base context. */
export interface DedupContext {
  /**
   * Runs `fn` at most once per key for this service (effects that must not repeat on redelivery);
   * resolves undefined when it already ran. See DedupStore for the guarantee and its limits.
   */
  readonly once: OnceFunction;
}

export interface BaseHandlerContext<
  E extends EventMap = Record<string, unknown>,
  P extends PublishMap<E> = PublishMap<E>,
> extends Omit<EventContext, 'publish' | 'outcome' | 'failure' | 'attempts' | 'once'> {
  /** Handler calls made so far in this delivery (1 on the first call). */
  readonly attempts: number;
  publish<K extends keyof P & keyof E & string>(
    type: K,
    payload: E[K],
    options: PublishOptions,
  ): Promise<Envelope>;
  breaker(name: string): DependencyBreaker;
}

/**
 * A definition's `dedup`: `true` (dedup by event id) or the dedup options (a business `keyOf`, the
 * mark mode). The connection is the runtime's: `ServiceOptions.dedupStore`.
 */
export type DedupDeclaration = true | DedupMiddlewareOptions;

/** Whether a definition declares dedup (its handlers then get `ctx.once`). */
export type HasDedup<D> = [D] extends [DedupDeclaration] ? true : false;

export type EventHandler<
  T,
  E extends EventMap,
  P extends PublishMap<E>,
  D extends boolean = false,
> = (payload: T, ctx: HandlerContext<E, P, D>) => Promise<void> | void;

export interface HandlerSpec<
  T,
  E extends EventMap,
  P extends PublishMap<E>,
  D extends boolean = false,
> {
  handle: EventHandler<T, E, P, D>;
  /** Breakers this handler calls through: while one is open its events wait, the handler is not called. */
  dependsOn?: readonly string[];
  /** Overrides the service's handler timeout for this event type (ms; 0 disables). */
  timeoutMs?: number;
}

export type ConsumeMap<E extends EventMap, P extends PublishMap<E>, D extends boolean = false> = {
  [K in keyof E & string]?: EventHandler<E[K], E, P, D> | HandlerSpec<E[K], E, P, D>;
};

export interface ServiceDefinition<
  E extends EventMap = Record<string, unknown>,
  P extends PublishMap<E> = PublishMap<E>,
  D extends DedupDeclaration | undefined = DedupDeclaration | undefined,
> {
  /** Also the consumer group id and the CloudEvents source of what it publishes. */
  name: string;
  /** Topics to subscribe to; events whose type has no handler are skipped. */
  topics: readonly string[];
  consumes: ConsumeMap<E, P, HasDedup<D>>;
  /** Event type → topic for everything handlers publish. */
  publishes?: P;
  /**
   * Each event handled once per dedup key (`true`: the event id; or dedup options, e.g. a business
   * `keyOf`), with `ctx.once` for side effects, typed as present. The runtime builds the dedup
   * middleware from this and `ServiceOptions.dedupStore`, inside retry and the breaker, before
   * your middleware; a service that declares dedup does not start without a store.
   */
  dedup?: D;
  /** Your middleware: runs inside retry, the breaker and dedup, just outside the handler's timeout. */
  middleware?: readonly Middleware[];
  /** Extra rule for errors retrying cannot fix (sent straight to the DLQ). */
  isPermanentError?: PermanentErrorPredicate;
  /**
   * Where the consumer group starts on a partition it has never committed an offset for.
   * `'latest'` (the default): at each topic's end as it is when the group first starts, so a new
   * service never replays a topic's whole history; events published once `start()` has returned
   * are all handled, and partitions added to a topic later are read from their beginning.
   * `'earliest'`: everything the topics still hold (a projection rebuilding its state, a test
   * that publishes first). A group that has committed offsets resumes from them either way.
   */
  startFrom?: StartPosition;
}

export const START_POSITIONS = ['latest', 'earliest'] as const;
export type StartPosition = (typeof START_POSITIONS)[number];

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
 * The two calls let you name the event map while the publish map is inferred from `publishes`
 * (and whether handlers get `ctx.once` from `dedup`).
 */
export function defineService<E extends EventMap = Record<string, unknown>>() {
  // Two overloads rather than a type parameter inferred from `dedup`: dedup options hold a
  // function (keyOf) whose parameter TypeScript would leave untyped while inferring one.
  function define<const P extends PublishMap<E> = Record<never, string>>(
    definition: ServiceDefinition<E, P, DedupDeclaration> & { dedup: DedupDeclaration },
  ): ServiceDefinition<E, P, DedupDeclaration>;
  function define<const P extends PublishMap<E> = Record<never, string>>(
    definition: ServiceDefinition<E, P, undefined>,
  ): ServiceDefinition<E, P, undefined>;
  function define(definition: unknown): unknown {
    validateDefinition(definition as ServiceDefinition);
    return definition;
  }
  return define;
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
  if (definition.startFrom !== undefined && !START_POSITIONS.includes(definition.startFrom)) {
    throw new ServiceDefinitionError(
      name,
      `startFrom: expected ${START_POSITIONS.map((p) => `"${p}"`).join(' or ')}, found ${JSON.stringify(definition.startFrom)}`,
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
  const dedup: unknown = definition.dedup;
  if (dedup !== undefined && dedup !== true && (typeof dedup !== 'object' || dedup === null))
    throw new ServiceDefinitionError(
      name,
      `expected "dedup" to be true or dedup options ({ keyOf, marks }), found ${JSON.stringify(dedup)}`,
    );
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
