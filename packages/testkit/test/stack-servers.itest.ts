/**
 * A fault test's handle on the stack: startStack's devstack offers its servers to kill and bring
 * back in place; a stack adopted from TROUPE_* settings does not (its servers are not the test's).
 */
import { createKafkaDriver, loadKafkaConnection } from '@troupe/kit';
import { type RunningStack, startStack } from '../src/stack';

jest.setTimeout(180_000);

const SETTINGS = [
  'TROUPE_KAFKA_BROKERS',
  'TROUPE_REDIS_URL',
  'TROUPE_DATABASE_URL',
  'TROUPE_SCHEMA_REGISTRY_URL',
  'TROUPE_STACK',
];
let stack: RunningStack;

beforeAll(async () => {
  // A stack of this test's own, not the suite's (which the other tests are using).
  const saved = SETTINGS.map((name) => [name, process.env[name]] as const);
  for (const name of SETTINGS) delete process.env[name];
  process.env.TROUPE_STACK = 'devstack';
  try {
    stack = await startStack({ log: () => undefined });
  } finally {
    for (const [name, value] of saved)
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
  }
});

afterAll(async () => {
  await stack?.stop();
});

it('kills Kafka and brings it back on the same port with its records: a send fails between', async () => {
  expect(stack.source).toBe('devstack');
  const driver = createKafkaDriver(
    loadKafkaConnection({
      ...stack.settings,
      TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER,
    }),
    { clientId: 'stack-servers-test', connectionTimeoutMs: 1_000 },
  );
  const admin = driver.admin();
  await admin.connect();
  await admin.createTopics([{ topic: 'servers.kept', partitions: 1 }]);
  await admin.disconnect();
  const send = async (value: string) => {
    const producer = driver.producer();
    try {
      await producer.send(
        [
          {
            topic: 'servers.kept',
            records: [{ key: Buffer.from('k'), value: Buffer.from(value) }],
          },
        ],
        { timeoutMs: 5_000 },
      );
    } finally {
      await producer.disconnect().catch(() => undefined);
    }
  };
  await send('before');

  await stack.servers!.kill('kafka');
  await expect(send('while down')).rejects.toThrow();
  await stack.servers!.restart('kafka');
  await send('after');

  const again = driver.admin();
  await again.connect();
  try {
    await expect(again.topicOffsets('servers.kept')).resolves.toEqual([
      { partition: 0, low: '0', high: '2' },
    ]);
  } finally {
    await again.disconnect();
  }
});

it('offers no servers on a stack adopted from TROUPE_* settings', async () => {
  const adopted = await startStack({ log: () => undefined });
  try {
    expect(adopted.source).toBe('env');
    expect(adopted.servers).toBeUndefined();
  } finally {
    await adopted.stop();
  }
});
