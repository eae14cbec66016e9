import type { ChoreographyException } from '@troupe/kit';
import { checkChoreography } from './check';
import { testCatalog, type ServiceSketch } from './test-catalog';

const PLACED = 'troupe.orders.OrderPlaced';
const SHIPPED = 'troupe.orders.OrderShipped';
const BILLED = 'troupe.orders.OrderBilled';
const ORDERS = 'orders.events';

/** orders → OrderPlaced → shipping → OrderShipped → billing: every event handled. */
const healthy = {
  orders: { publisher: { [PLACED]: ORDERS } },
  shipping: { subscribes: [ORDERS], handles: [PLACED], publishes: { [SHIPPED]: ORDERS } },
  billing: { subscribes: [ORDERS], handles: [SHIPPED] },
} satisfies Record<string, ServiceSketch>;
const ordersTopic = { [ORDERS]: [PLACED, SHIPPED] };

const lines = (
  services: Record<string, ServiceSketch>,
  topics: Record<string, string[]> = ordersTopic,
  extra: { schemas?: string[]; allow?: ChoreographyException[] } = {},
) => checkChoreography(testCatalog({ services, topics, ...extra })).findings.map((f) => f.message);

describe('checkChoreography', () => {
  it('finds nothing in a choreography where every event is published, carried and handled', () => {
    expect(lines(healthy)).toEqual([]);
  });

  it.each<[string, Record<string, ServiceSketch>, Record<string, string[]>, string[]]>([
    [
      'unconsumed: a type nobody handles',
      { ...healthy, billing: { subscribes: [ORDERS], handles: [PLACED] } },
      ordersTopic,
      [`unconsumed: ${SHIPPED} is published by shipping (to ${ORDERS}) and handled by no service`],
    ],
    [
      'unpublished: a type nobody publishes',
      { shipping: healthy.shipping, billing: healthy.billing },
      ordersTopic,
      [`unpublished: ${PLACED} is handled by shipping and published by no service`],
    ],
    [
      'unsubscribed-handler: a handler for a type on a topic its service does not subscribe to',
      {
        ...healthy,
        billing: { subscribes: ['billing.commands'], handles: [SHIPPED] },
      },
      { ...ordersTopic, 'billing.commands': [] },
      [
        `unsubscribed-handler: billing handles ${SHIPPED}, which topics.json puts on ${ORDERS}, but subscribes only to billing.commands: the handler never runs`,
      ],
    ],
    [
      'unsubscribed-handler: a handler for a type no topic carries',
      {
        ...healthy,
        billing: { subscribes: [ORDERS], handles: [SHIPPED, BILLED] },
        invoicing: { publisher: { [BILLED]: ORDERS } },
      },
      ordersTopic,
      [
        `unsubscribed-handler: billing handles ${BILLED}, which no topic of topics.json carries: the handler never runs`,
        `type-not-on-topic: invoicing publishes ${BILLED} to ${ORDERS}, whose eventTypes in topics.json leave it out`,
        `unknown-event-type: ${BILLED}, published by invoicing (to ${ORDERS}) and handled by billing, has no schema in the contracts`,
      ],
    ],
    [
      'unknown-topic: published to, and subscribed to, a topic topics.json does not declare',
      {
        ...healthy,
        shipping: {
          subscribes: [ORDERS],
          handles: [PLACED],
          publishes: { [SHIPPED]: 'shipments' },
        },
        billing: { subscribes: [ORDERS, 'shipments'], handles: [SHIPPED] },
      },
      ordersTopic,
      [
        `unknown-topic: billing subscribes to shipments, which topics.json does not declare`,
        `unknown-topic: shipping publishes ${SHIPPED} to shipments, which topics.json does not declare`,
      ],
    ],
    [
      'type-not-on-topic: published to a declared topic that does not carry the type',
      healthy,
      { [ORDERS]: [PLACED], 'shipping.events': [SHIPPED] },
      [
        `unsubscribed-handler: billing handles ${SHIPPED}, which topics.json puts on shipping.events, but subscribes only to ${ORDERS}: the handler never runs`,
        `type-not-on-topic: shipping publishes ${SHIPPED} to ${ORDERS}, whose eventTypes in topics.json leave it out`,
      ],
    ],
    [
      'unterminated-cycle: types causing each other with no way out',
      {
        orders: { publisher: { [PLACED]: ORDERS } },
        shipping: {
          subscribes: [ORDERS],
          handles: [PLACED, BILLED],
          publishes: { [SHIPPED]: ORDERS },
        },
        billing: { subscribes: [ORDERS], handles: [SHIPPED], publishes: { [BILLED]: ORDERS } },
      },
      { [ORDERS]: [PLACED, SHIPPED, BILLED] },
      [
        `unterminated-cycle: ${BILLED}, ${SHIPPED} cause one another (handled and published by billing, shipping) and lead to no other event type: once started, the flow never ends`,
      ],
    ],
    [
      'unterminated-cycle: a type whose handler publishes it again',
      {
        ...healthy,
        ticker: {
          subscribes: ['ticks'],
          handles: ['troupe.time.Tick'],
          publishes: { 'troupe.time.Tick': 'ticks' },
        },
      },
      { ...ordersTopic, ticks: ['troupe.time.Tick'] },
      [
        'unterminated-cycle: troupe.time.Tick causes itself (handled and published by ticker) and leads to no other event type: once started, the flow never ends',
      ],
    ],
  ])('%s', (_title, services, topics, expected) => {
    expect(lines(services, topics)).toEqual(expected);
  });

  it('reports unknown-event-type for a type without a schema', () => {
    expect(lines(healthy, ordersTopic, { schemas: [PLACED] })).toEqual([
      `unknown-event-type: ${SHIPPED}, published by shipping (to ${ORDERS}) and handled by billing, has no schema in the contracts`,
    ]);
  });

  it('accepts a loop with a way out: a flow that can end', () => {
    const services = {
      ...healthy,
      shipping: {
        subscribes: [ORDERS],
        handles: [PLACED, BILLED],
        publishes: { [SHIPPED]: ORDERS, 'troupe.orders.Delivered': ORDERS },
      },
      billing: { subscribes: [ORDERS], handles: [SHIPPED], publishes: { [BILLED]: ORDERS } },
      support: { subscribes: [ORDERS], handles: ['troupe.orders.Delivered'] },
    };
    expect(
      lines(services, { [ORDERS]: [PLACED, SHIPPED, BILLED, 'troupe.orders.Delivered'] }),
    ).toEqual([]);
  });

  it('does not count a publish through a Publisher as caused by what the service handles', () => {
    // orders publishes OrderPlaced from an HTTP request, not because it handled OrderShipped.
    const services = {
      orders: { subscribes: [ORDERS], handles: [SHIPPED], publisher: { [PLACED]: ORDERS } },
      shipping: healthy.shipping,
    };
    expect(lines(services)).toEqual([]);
  });

  it('names every publisher of an unconsumed type, with its topics', () => {
    const services = {
      shipping: { publishes: { [SHIPPED]: ORDERS } },
      returns: { publisher: { [SHIPPED]: ORDERS } },
    };
    expect(lines(services)).toEqual([
      `unconsumed: ${SHIPPED} is published by returns (to ${ORDERS}), shipping (to ${ORDERS}) and handled by no service`,
    ]);
  });
});

describe('checkChoreography with the catalog’s exceptions', () => {
  const orphan = { ...healthy, billing: { subscribes: [ORDERS], handles: [PLACED] } };
  const check = (allow: ChoreographyException[]) =>
    checkChoreography(testCatalog({ services: orphan, topics: ordersTopic, allow }));

  it.each<[string, Omit<ChoreographyException, 'reason'>]>([
    ['by rule and event type', { rule: 'unconsumed', eventType: SHIPPED }],
    ['by rule and service', { rule: 'unconsumed', service: 'shipping' }],
    ['by rule and topic', { rule: 'unconsumed', topic: ORDERS }],
    ['by rule alone', { rule: 'unconsumed' }],
  ])('allows a finding matched %s', (_title, match) => {
    const report = check([{ ...match, reason: 'shipments are for people' }]);
    expect(report.findings).toEqual([]);
    expect(report.allowed.map((a) => [a.finding.rule, a.exception.reason])).toEqual([
      ['unconsumed', 'shipments are for people'],
    ]);
  });

  it.each<[string, Omit<ChoreographyException, 'reason'>, string]>([
    ['another type', { rule: 'unconsumed', eventType: PLACED }, `eventType: ${PLACED}`],
    ['another service', { rule: 'unconsumed', service: 'billing' }, 'service: billing'],
    ['another rule', { rule: 'unpublished', eventType: SHIPPED }, `eventType: ${SHIPPED}`],
  ])(
    'does not allow a finding by an exception naming %s, and calls the exception stale',
    (_t, match, named) => {
      const report = check([{ ...match, reason: 'why' }]);
      expect(report.findings.map((f) => f.rule)).toEqual(['unconsumed', 'stale-exception']);
      expect(report.findings[1]!.message).toBe(
        `stale-exception: allow { rule: ${match.rule}, ${named} } matches no finding: remove it from the catalog`,
      );
    },
  );

  it('reports an exception without a reason, or with a rule that is not one, and does not apply it', () => {
    const report = check([
      { rule: 'unconsumed', eventType: SHIPPED, reason: ' ' },
      { rule: 'lost' as never, reason: 'why' },
    ]);
    expect(report.findings.map((f) => f.message)).toEqual([
      `unconsumed: ${SHIPPED} is published by shipping (to ${ORDERS}) and handled by no service`,
      `invalid-exception: allow[0] { rule: unconsumed, eventType: ${SHIPPED} }: it needs a reason: say why the finding is intended`,
      'invalid-exception: allow[1] { rule: lost }: rule must be one of unconsumed, unpublished, unsubscribed-handler, unknown-topic, type-not-on-topic, unknown-event-type, unterminated-cycle',
    ]);
    expect(report.allowed).toEqual([]);
  });
});
