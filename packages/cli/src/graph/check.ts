import { CHOREOGRAPHY_RULES, type ChoreographyException, type ChoreographyRule } from '@troupe/kit';
import type { SystemCatalog } from '@troupe/kit/internal';
import { causations, unterminatedCycles } from './event-cycles';

/**
 * What a finding is about: a rule of CHOREOGRAPHY_RULES broken, or an entry of the catalog's
 * `allow` that is itself wrong (`stale-exception`: it matches no finding; `invalid-exception`:
 * its rule is not a rule, or it gives no reason). The last two cannot be allowed.
 */
export type FindingRule = ChoreographyRule | 'stale-exception' | 'invalid-exception';

export interface ChoreographyFinding {
  rule: FindingRule;
  /** The event types, services and topics it names, which an exception is matched against. */
  eventTypes: string[];
  services: string[];
  topics: string[];
  /** One self-contained line, `<rule>: …`. */
  message: string;
}

export interface ChoreographyReport {
  /** What is wrong: each one fails the check. Sorted by rule (as CHOREOGRAPHY_RULES), then line. */
  findings: ChoreographyFinding[];
  /** Findings the catalog's `allow` declares intended, each with the exception that matched it. */
  allowed: { finding: ChoreographyFinding; exception: ChoreographyException }[];
}

/**
 * The choreography check (`troupe graph --check`): every rule of CHOREOGRAPHY_RULES over the
 * catalog, then the catalog's exceptions. An exception matches a finding of its rule when each
 * of `eventType`, `service`, `topic` it names is among the finding's. Pure: reads the catalog only.
 */
export function checkChoreography(catalog: SystemCatalog): ChoreographyReport {
  const raw = RULE_CHECKS.flatMap((rule) => rule(catalog));
  const findings: ChoreographyFinding[] = [];
  const allowed: ChoreographyReport['allowed'] = [];
  const exceptions = catalog.allow.filter((exception, at) => {
    const problem = exceptionProblem(exception);
    if (problem) findings.push(invalidException(exception, at, problem));
    return !problem;
  });
  const used = new Set<ChoreographyException>();
  for (const finding of raw) {
    const exception = exceptions.find((candidate) => matches(candidate, finding));
    if (exception) {
      allowed.push({ finding, exception });
      used.add(exception);
    } else findings.push(finding);
  }
  for (const exception of exceptions)
    if (!used.has(exception))
      findings.push({
        rule: 'stale-exception',
        eventTypes: [],
        services: [],
        topics: [],
        message: `stale-exception: allow ${describe(exception)} matches no finding: remove it from the catalog`,
      });
  return { findings: findings.sort(byRuleThenLine), allowed };
}

type RuleCheck = (catalog: SystemCatalog) => ChoreographyFinding[];

const finding = (
  rule: ChoreographyRule,
  names: Pick<ChoreographyFinding, 'eventTypes' | 'services' | 'topics'>,
  text: string,
): ChoreographyFinding => ({ rule, ...names, message: `${rule}: ${text}` });

/** Each service publishing `type`, with the topics it publishes it to. */
function publishersOf(catalog: SystemCatalog, type: string) {
  return catalog.services
    .map((service) => ({
      service: service.name,
      topics: unique(service.publishes.filter((p) => p.eventType === type).map((p) => p.topic)),
    }))
    .filter((publisher) => publisher.topics.length > 0);
}

function handlersOf(catalog: SystemCatalog, type: string): string[] {
  return catalog.services
    .filter((service) => service.consumes.some((c) => c.eventType === type))
    .map((service) => service.name);
}

const publishedTypes = (catalog: SystemCatalog) =>
  unique(catalog.services.flatMap((s) => s.publishes.map((p) => p.eventType)));
const handledTypes = (catalog: SystemCatalog) =>
  unique(catalog.services.flatMap((s) => s.consumes.map((c) => c.eventType)));

const publishedBy = (publishers: ReturnType<typeof publishersOf>) =>
  publishers.map((p) => `${p.service} (to ${p.topics.join(', ')})`).join(', ');

const RULES: Record<ChoreographyRule, RuleCheck> = {
  unconsumed: (catalog) =>
    publishedTypes(catalog)
      .filter((type) => handlersOf(catalog, type).length === 0)
      .map((type) => {
        const publishers = publishersOf(catalog, type);
        return finding(
          'unconsumed',
          {
            eventTypes: [type],
            services: publishers.map((p) => p.service),
            topics: unique(publishers.flatMap((p) => p.topics)),
          },
          `${type} is published by ${publishedBy(publishers)} and handled by no service`,
        );
      }),

  unpublished: (catalog) =>
    handledTypes(catalog)
      .filter((type) => publishersOf(catalog, type).length === 0)
      .map((type) => {
        const handlers = handlersOf(catalog, type);
        return finding(
          'unpublished',
          { eventTypes: [type], services: handlers, topics: topicsCarrying(catalog, type) },
          `${type} is handled by ${handlers.join(', ')} and published by no service`,
        );
      }),

  'unsubscribed-handler': (catalog) =>
    catalog.services.flatMap((service) =>
      service.consumes
        .filter((consumed) => consumed.topics.length === 0)
        .map(({ eventType }) => {
          const carriers = topicsCarrying(catalog, eventType);
          const where =
            carriers.length === 0
              ? 'which no topic of topics.json carries'
              : `which topics.json puts on ${carriers.join(', ')}, but subscribes only to ${service.subscribes.join(', ')}`;
          return finding(
            'unsubscribed-handler',
            { eventTypes: [eventType], services: [service.name], topics: carriers },
            `${service.name} handles ${eventType}, ${where}: the handler never runs`,
          );
        }),
    ),

  'unknown-topic': (catalog) => {
    const declared = new Set(catalog.topics.map((t) => t.name));
    return catalog.services.flatMap((service) => [
      ...service.subscribes
        .filter((topic) => !declared.has(topic))
        .map((topic) =>
          finding(
            'unknown-topic',
            { eventTypes: [], services: [service.name], topics: [topic] },
            `${service.name} subscribes to ${topic}, which topics.json does not declare`,
          ),
        ),
      ...uniquePublishes(service.publishes)
        .filter(({ topic }) => !declared.has(topic))
        .map(({ eventType, topic }) =>
          finding(
            'unknown-topic',
            { eventTypes: [eventType], services: [service.name], topics: [topic] },
            `${service.name} publishes ${eventType} to ${topic}, which topics.json does not declare`,
          ),
        ),
    ]);
  },

  'type-not-on-topic': (catalog) => {
    const topics = new Map(catalog.topics.map((t) => [t.name, t]));
    return catalog.services.flatMap((service) =>
      uniquePublishes(service.publishes)
        .filter(({ eventType, topic }) => {
          const spec = topics.get(topic);
          return spec !== undefined && !spec.eventTypes.includes(eventType);
        })
        .map(({ eventType, topic }) =>
          finding(
            'type-not-on-topic',
            { eventTypes: [eventType], services: [service.name], topics: [topic] },
            `${service.name} publishes ${eventType} to ${topic}, whose eventTypes in topics.json leave it out`,
          ),
        ),
    );
  },

  'unknown-event-type': (catalog) => {
    const known = new Set(catalog.events.map((e) => e.type));
    return unique([...publishedTypes(catalog), ...handledTypes(catalog)])
      .filter((type) => !known.has(type))
      .map((type) => {
        const publishers = publishersOf(catalog, type);
        const handlers = handlersOf(catalog, type);
        const roles = [
          ...(publishers.length > 0 ? [`published by ${publishedBy(publishers)}`] : []),
          ...(handlers.length > 0 ? [`handled by ${handlers.join(', ')}`] : []),
        ];
        return finding(
          'unknown-event-type',
          {
            eventTypes: [type],
            services: unique([...publishers.map((p) => p.service), ...handlers]),
            topics: unique(publishers.flatMap((p) => p.topics)),
          },
          `${type}, ${roles.join(' and ')}, has no schema in the contracts`,
        );
      });
  },

  'unterminated-cycle': (catalog) =>
    unterminatedCycles(causations(catalog)).map((cycle) =>
      finding(
        'unterminated-cycle',
        { eventTypes: cycle.eventTypes, services: cycle.services, topics: [] },
        `${cycle.eventTypes.join(', ')} ${cycle.eventTypes.length === 1 ? 'causes itself' : 'cause one another'} (handled and published by ${cycle.services.join(', ')}) and ${cycle.eventTypes.length === 1 ? 'leads' : 'lead'} to no other event type: once started, the flow never ends`,
      ),
    ),
};

const RULE_CHECKS = CHOREOGRAPHY_RULES.map((rule) => RULES[rule]);

function topicsCarrying(catalog: SystemCatalog, type: string): string[] {
  return catalog.topics.filter((t) => t.eventTypes.includes(type)).map((t) => t.name);
}

/** A service may publish a type to a topic from its handlers and from a Publisher: once each. */
function uniquePublishes(publishes: readonly { eventType: string; topic: string }[]) {
  const seen = new Set<string>();
  return publishes.filter(({ eventType, topic }) => {
    const key = `${eventType}\0${topic}`;
    return !seen.has(key) && Boolean(seen.add(key));
  });
}

function matches(exception: ChoreographyException, found: ChoreographyFinding): boolean {
  return (
    exception.rule === found.rule &&
    (exception.eventType === undefined || found.eventTypes.includes(exception.eventType)) &&
    (exception.service === undefined || found.services.includes(exception.service)) &&
    (exception.topic === undefined || found.topics.includes(exception.topic))
  );
}

function exceptionProblem(exception: ChoreographyException): string | undefined {
  if (!(CHOREOGRAPHY_RULES as readonly string[]).includes(exception.rule))
    return `rule must be one of ${CHOREOGRAPHY_RULES.join(', ')}`;
  if (typeof exception.reason !== 'string' || exception.reason.trim() === '')
    return 'it needs a reason: say why the finding is intended';
  return undefined;
}

function invalidException(
  exception: ChoreographyException,
  at: number,
  problem: string,
): ChoreographyFinding {
  return {
    rule: 'invalid-exception',
    eventTypes: [],
    services: [],
    topics: [],
    message: `invalid-exception: allow[${at}] ${describe(exception)}: ${problem}`,
  };
}

/** `{ rule: unconsumed, eventType: a.B }`: an exception as its fields name it, without the reason. */
export function describe(exception: ChoreographyException): string {
  const fields = (['rule', 'eventType', 'service', 'topic'] as const)
    .filter((field) => exception[field] !== undefined)
    .map((field) => `${field}: ${String(exception[field])}`);
  return `{ ${fields.join(', ')} }`;
}

const RULE_ORDER: readonly FindingRule[] = [
  ...CHOREOGRAPHY_RULES,
  'stale-exception',
  'invalid-exception',
];

function byRuleThenLine(a: ChoreographyFinding, b: ChoreographyFinding): number {
  return (
    RULE_ORDER.indexOf(a.rule) - RULE_ORDER.indexOf(b.rule) || a.message.localeCompare(b.message)
  );
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
