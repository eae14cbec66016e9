import type { ServiceNames } from './names';

/**
 * src/<name>.test.ts: the definition on the in-memory driver (README, "Unit-testing a service"):
 * publish a request, wait until the answer is on the topic and the request's offset committed.
 * Its identifiers are in names.ts's TAKEN, so the definition's own name never shadows one.
 */
export function unitTestSource(names: ServiceNames, definitionModule: string): string {
  const { identifier, topic, idField, requested, answered } = names;
  return `import type { EventTypes } from '@troupe/contracts';
import { Publisher, createService, headerString, loadConfig } from '@troupe/kit';
import { JsonTestCodec, MemoryKafkaDriver } from '@troupe/testkit';
import { ${identifier} } from './${definitionModule}';

// No broker and no registry: the in-memory driver, and JSON instead of Avro.
const topic = '${topic}';

test('answers a ${requested.short} on its key, then commits the request', async () => {
  const kafka = new MemoryKafkaDriver();
  kafka.cluster.createTopic(topic, 3);
  const codec = new JsonTestCodec();
  const service = createService(${identifier}, {
    kafka,
    codec,
    config: loadConfig({ TROUPE_KAFKA_BROKERS: 'memory:9092', TROUPE_LOG_LEVEL: 'silent' }),
    consumer: { maxWaitTimeMs: 20 },
    defaultMetrics: false,
  });
  await service.start();
  const publisher = new Publisher({ kafka, codec, source: 'test' });
  try {
    const request: EventTypes['${requested.type}'] = {
      ${idField}: 'request-1',
      text: 'hello',
      requestedAt: new Date(),
    };
    const sent = await publisher.publish({
      type: '${requested.type}',
      topic,
      key: request.${idField},
      payload: request,
    });

    const answered = await eventually(
      () =>
        kafka.cluster
          .records(topic)
          .find(
            (record) => headerString(record.headers, 'ce_type') === '${answered.type}',
          ),
      'the answer on the topic',
    );
    expect(answered.key?.toString()).toBe(request.${idField});
    expect(JSON.parse(String(answered.value))).toMatchObject({
      ${idField}: 'request-1',
      reply: 'you said: hello',
    });
    // The answer continues the request's conversation: same correlation id, caused by the request.
    expect(headerString(answered.headers, 'ce_correlationid')).toBe(sent.correlationId);
    expect(headerString(answered.headers, 'ce_causationid')).toBe(sent.id);

    const requested = await eventually(
      () =>
        kafka.cluster
          .records(topic)
          .find((record) => headerString(record.headers, 'ce_id') === sent.id),
      'the request on the topic',
    );
    await eventually(() => {
      const committed = kafka.cluster.committedOffset(${identifier}.name, topic, requested.partition);
      return committed !== undefined && Number(committed) > Number(requested.offset);
    }, 'the request committed');
  } finally {
    await publisher.disconnect();
    await service.stop();
  }
});

/** Polls \`check\` until it returns a value (not undefined or false), for up to 5 s. */
async function eventually<T>(check: () => T | undefined | false, what: string): Promise<T> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(\`timed out waiting for \${what}\`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
`;
}
