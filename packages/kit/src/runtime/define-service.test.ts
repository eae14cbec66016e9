import { ConfigError } from '../errors';
import { defineService, resolveHandlers, ServiceDefinitionError } from './define-service';
import { createService } from './service';

interface Events {
  'shop.OrderPlaced': { orderId: string };
  'shop.OrderShipped': { orderId: string; carrier: string };
}

const noop = (): void => undefined;
const codec = {
  encode: async () => Buffer.alloc(0),
  decode: async () => ({ type: 'x', payload: {}, schemaId: 1 }),
};

test('a definition with typed handlers and a publish map', () => {
  const definition = defineService<Events>()({
    name: 'shipper',
    topics: ['orders'],
    publishes: { 'shop.OrderShipped': 'orders' },
    consumes: {
      'shop.OrderPlaced': {
        dependsOn: ['carrier-api'],
        timeoutMs: 500,
        handle: async (order, ctx) => {
          await ctx.publish(
            'shop.OrderShipped',
            { orderId: order.orderId, carrier: 'ups' },
            { key: order.orderId },
          );
          // @ts-expect-error -- the payload must match the event type
          await ctx.publish('shop.OrderShipped', { orderId: 1 }, { key: 'k' });
          // @ts-expect-error -- only declared event types can be published
          await ctx.publish('shop.OrderPlaced', { orderId: 'x' }, { key: 'k' });
        },
      },
    },
  });
  const handlers = resolveHandlers(definition as never);
  expect(handlers.get('shop.OrderPlaced')).toMatchObject({
    dependsOn: ['carrier-api'],
    timeoutMs: 500,
  });
});

test.each([
  [{ name: 'bad name!', topics: ['t'], consumes: { a: noop } }, /expected a name/],
  [{ name: 'svc', topics: [], consumes: { a: noop } }, /non-empty list of topic names/],
  [{ name: 'svc', topics: ['t'], consumes: {} }, /at least one handler/],
  [
    { name: 'svc', topics: ['t'], consumes: { a: { nope: 1 } } },
    /consumes\["a"\]: expected a function or \{ handle \}/,
  ],
  [
    { name: 'svc', topics: ['t'], consumes: { a: noop }, publishes: { a: '' } },
    /publishes\["a"\]: expected a topic name/,
  ],
])('an invalid definition is rejected at once (%#)', (definition, message) => {
  expect(() => defineService()(definition as never)).toThrow(ServiceDefinitionError);
  expect(() => defineService()(definition as never)).toThrow(message);
});

test('invalid configuration fails at creation, naming the variable', () => {
  const definition = defineService()({ name: 'svc', topics: ['t'], consumes: { a: noop } });
  const saved = process.env.TROUPE_KAFKA_BROKERS;
  process.env.TROUPE_KAFKA_BROKERS = 'no-port-here';
  try {
    expect(() => createService(definition, { codec })).toThrow(ConfigError);
    expect(() => createService(definition, { codec })).toThrow(
      /^TROUPE_KAFKA_BROKERS: expected a comma-separated list of host:port/,
    );
  } finally {
    if (saved === undefined) delete process.env.TROUPE_KAFKA_BROKERS;
    else process.env.TROUPE_KAFKA_BROKERS = saved;
  }
});
