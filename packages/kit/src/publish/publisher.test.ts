/**
 * The Publisher typed by an event map, on the in-memory driver: routed types need no topic, a
 * type without a route or topic is refused before anything is sent, and (checked by tsc) an
 * unknown type or a wrong payload does not compile.
 */
import { JsonTestCodec, MemoryCluster, MemoryKafkaDriver } from '../kafka/memory';
import { Publisher } from './publisher';

interface Events {
  'shop.OrderPlaced': { orderId: string; total: number };
  'shop.OrderShipped': { orderId: string };
}

function setup() {
  const kafka = new MemoryKafkaDriver(new MemoryCluster());
  kafka.cluster.createTopic('orders', 1);
  kafka.cluster.createTopic('shipping', 1);
  const publisher = new Publisher<Events>({
    kafka,
    codec: new JsonTestCodec(),
    source: 'shop',
    routes: { 'shop.OrderPlaced': 'orders' },
  });
  return { kafka, publisher };
}

test('a routed type goes to its topic; an event of its own topic goes there', async () => {
  const { kafka, publisher } = setup();
  await publisher.connect();
  await publisher.publish({
    type: 'shop.OrderPlaced',
    key: 'o1',
    payload: { orderId: 'o1', total: 3 },
  });
  await publisher.publish({
    type: 'shop.OrderShipped',
    topic: 'shipping',
    key: 'o1',
    payload: { orderId: 'o1' },
  });
  expect(kafka.cluster.records('orders')).toHaveLength(1);
  expect(kafka.cluster.records('shipping')).toHaveLength(1);
  await publisher.disconnect();
});

test('a type with neither a route nor a topic is refused, naming it, and nothing is sent', async () => {
  const { kafka, publisher } = setup();
  await publisher.connect();
  await expect(
    publisher.publish({ type: 'shop.OrderShipped', key: 'o1', payload: { orderId: 'o1' } }),
  ).rejects.toThrow(/^no topic for event type shop\.OrderShipped: give the event a topic/);
  expect(kafka.cluster.records('orders')).toHaveLength(0);
  expect(kafka.cluster.records('shipping')).toHaveLength(0);
  await publisher.disconnect();
});

test('types: the event map decides the types and payloads that compile', () => {
  const { publisher } = setup();
  const attempts = [
    // @ts-expect-error an event type the map does not have
    () => publisher.publish({ type: 'shop.OrderLost', key: 'o', payload: {} }),
    // @ts-expect-error a payload without a required field
    () => publisher.publish({ type: 'shop.OrderPlaced', key: 'o', payload: { orderId: 'o' } }),
    // @ts-expect-error a field of the wrong type
    () => publisher.publish({ type: 'shop.OrderShipped', key: 'o', payload: { orderId: 1 } }),
  ];
  expect(attempts).toHaveLength(3);
});
