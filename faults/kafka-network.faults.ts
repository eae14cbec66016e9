/**
 * Network faults between a service and Kafka: the service declaring dedup reaches its one broker
 * only through a fault proxy (the broker advertises the proxy's address on a listener of its own,
 * so every connection the client opens stays behind it), while the Publisher sends directly.
 * 500 ms latency, every connection cut, the network hung for 15 s, then half-open connections the
 * client must give up on by itself: it resumes after each, nothing lost, nothing applied twice,
 * each key's events in order.
 */
import { type FaultProxy, startFaultProxy } from '@troupe/testkit';
import { finish, throughNetworkFaults } from './support/network';
import { createTopic, expectEveryEventOnce, until, useOwnStack } from './support/scenario';
import { CountedStream } from './support/stream';

jest.setTimeout(300_000);

let proxy: FaultProxy;
beforeAll(async () => {
  // Started before the stack, which must advertise its port; it forwards to the stack's proxy
  // listener, looked up at each connection.
  proxy = await startFaultProxy(() => {
    const target = ownStack().kafkaProxyTarget;
    if (!target) throw new Error('the stack has no Kafka proxy listener');
    return target;
  });
});
afterAll(() => proxy.close());
const ownStack = useOwnStack(async () => ({ kafkaProxyListener: { advertisedPort: proxy.port } }));

test('network faults between a service and Kafka (latency, cut, hung, half-open): it resumes after each, nothing lost, nothing doubled', async () => {
  const settings = ownStack().settings;
  const topic = 'faults.kafka-network';
  await createTopic(settings, topic, 3);
  const stream = await CountedStream.start(
    {
      settings,
      topic,
      keys: 7,
      perKey: 2_000,
      intervalMs: 100,
      serviceBrokers: `${proxy.host}:${proxy.port}`,
    },
    'faults-kafka-network',
  );
  try {
    stream.publish();
    await until(() => stream.handledCount >= 150, 60_000, '150 events handled');
    stream.markFault();
    const recoveries = await throughNetworkFaults(proxy, stream, { resumeWithinMs: 90_000 });
    const figures = await finish(
      stream,
      'service to Kafka: 500 ms latency, cut, hung, half-open',
      recoveries,
    );
    await expectEveryEventOnce(stream, figures);
  } finally {
    await stream.stop();
  }
});
