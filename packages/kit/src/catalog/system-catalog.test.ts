import { defineService } from '../runtime/define-service';
import type { TopicSpec } from '../schemas/topics';
import { CatalogError } from './catalog-error';
import { notConnected, type CatalogService } from './declaration';
import { buildSystemCatalog, type CatalogSources } from './system-catalog';

const topics: TopicSpec[] = [
  { name: 'orders', partitions: 3, config: {}, eventTypes: ['shop.OrderPlaced', 'shop.OrderPaid'] },
  { name: 'shipments', partitions: 1, config: {}, eventTypes: ['shop.Shipped'] },
];

const payments = defineService()({
  name: 'payments',
  topics: ['orders'],
  publishes: { 'shop.OrderPaid': 'orders' },
  consumes: {
    'shop.OrderPlaced': { dependsOn: ['bank'], handle: () => undefined },
    'shop.Shipped': () => undefined,
  },
  dedup: true,
});

function sources(services: CatalogSources['services'], delays = [1_000, 10_000]): CatalogSources {
  return { services, topics, schemas: [], retryTopicDelaysMs: delays };
}

describe('buildSystemCatalog', () => {
  it('reads a bare definition: group, retry group, handled types on their subscribed topics, failure topics', () => {
    const [service] = buildSystemCatalog(
      sources([{ file: 'payments.ts', service: payments as CatalogService }]),
    ).services;
    expect(service).toEqual({
      name: 'payments',
      file: 'payments.ts',
      groups: ['payments', 'payments.retry'],
      subscribes: ['orders'],
      consumes: [
        { eventType: 'shop.OrderPlaced', topics: ['orders'], dependsOn: ['bank'] },
        // Shipped travels on shipments, which payments does not subscribe to: its handler never runs.
        { eventType: 'shop.Shipped', topics: [], dependsOn: [] },
      ],
      publishes: [{ eventType: 'shop.OrderPaid', topic: 'orders', path: 'handler' }],
      failureTopics: [
        { topic: 'orders', retry: ['orders.retry.1', 'orders.retry.2'], deadLetter: 'orders.dlq' },
      ],
      dedup: true,
    });
  });

  it('adds what a service publishes outside its handlers; without retry topics there is no retry group', () => {
    const [service] = buildSystemCatalog(
      sources(
        [
          {
            file: 'payments.ts',
            service: { definition: payments, publishes: { 'shop.Refunded': 'orders' } },
          },
        ],
        [],
      ),
    ).services;
    expect(service?.groups).toEqual(['payments']);
    expect(service?.publishes).toEqual([
      { eventType: 'shop.OrderPaid', topic: 'orders', path: 'handler' },
      { eventType: 'shop.Refunded', topic: 'orders', path: 'publisher' },
    ]);
  });

  it('reads a service that only publishes: no groups, nothing consumed', () => {
    const catalog = buildSystemCatalog(
      sources([
        { file: 'shop.ts', service: { name: 'shop', publishes: { 'shop.OrderPlaced': 'orders' } } },
      ]),
    );
    expect(catalog.services[0]).toMatchObject({
      name: 'shop',
      groups: [],
      consumes: [],
      subscribes: [],
    });
  });

  it.each([
    [
      'no name and no definition',
      { publishes: { a: 'orders' } },
      'a service without a definition needs a name',
    ],
    ['nothing at all', { name: 'idle' }, 'service idle has no definition and publishes nothing'],
    [
      'a bad route',
      { name: 'x', publishes: { a: '' } },
      'publishes["a"]: expected a topic name, found ""',
    ],
    ['a name unlike its definition', { name: 'other', definition: payments }, 'name other differs'],
    [
      'an invalid definition',
      { definition: { ...payments, topics: [] } },
      'service "payments": expected a non-empty list of topic names',
    ],
  ])('refuses %s, naming the file', (_case, service, problem) => {
    const build = () =>
      buildSystemCatalog(sources([{ file: 'bad.ts', service: service as CatalogService }]));
    expect(build).toThrow(CatalogError);
    expect(build).toThrow(`bad.ts: ${problem}`);
  });

  it('refuses two files declaring one service', () => {
    expect(() =>
      buildSystemCatalog(
        sources([
          { file: 'a.ts', service: payments as CatalogService },
          { file: 'b.ts', service: payments as CatalogService },
        ]),
      ),
    ).toThrow('b.ts: service payments is also declared by a.ts');
  });

  it('sorts services and topics by name', () => {
    const shop = { name: 'shop', publishes: { 'shop.OrderPlaced': 'orders' } };
    const catalog = buildSystemCatalog(
      sources([
        { file: 'shop.ts', service: shop },
        { file: 'payments.ts', service: payments as CatalogService },
      ]),
    );
    expect(catalog.services.map((s) => s.name)).toEqual(['payments', 'shop']);
    expect(catalog.topics.map((t) => t.name)).toEqual(['orders', 'shipments']);
  });
});

describe('notConnected', () => {
  it('throws on use, naming the dependency', () => {
    const redis = notConnected<{ get(key: string): Promise<string> }>('the cache (Redis)');
    expect(() => redis.get('k')).toThrow(/^the cache \(Redis\) is not connected.*\(used: get\)$/);
  });
});
