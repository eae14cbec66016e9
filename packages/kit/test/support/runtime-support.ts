/**
 * Helpers for the runtime integration tests and the consume bench: a small Avro contract, the
 * real AvroCodec against the stack's schema registry, a quiet fast-rebalancing service config,
 * and readers for what landed on a topic. Settings come only from TROUPE_* variables.
 */
import pino from 'pino';
import {
  AvroCodec,
  DedupDeclaration,
  Envelope,
  EventCodec,
  Publisher,
  PublishMap,
  RawHeaders,
  ServiceDefinition,
  ServiceOptions,
  TroupeService,
  createSchemaCatalog,
  createService,
  headerString,
  loadConfig,
} from '@troupe/kit';
import { ConsumedRecord } from '@troupe/kit/internal';
import { consumeUntil, testKafka, uniqueName, withTestAdmin } from '@troupe/testkit';
import { testSchemas } from './test-schemas';

export { createTopics, testKafka, uniqueName, withTestAdmin } from '@troupe/testkit';

/** The test contract: `test.runtime.Counted` (payload `{ key, seq, note }`) and `test.runtime.Noted`. */
export interface TestEvents {
  'test.runtime.Counted': { key: string; seq: number; note: string | null };
  'test.runtime.Noted': { text: string };
}

export function registryUrl(): string {
  const url = process.env.TROUPE_SCHEMA_REGISTRY_URL;
  if (!url)
    throw new Error(
      'TROUPE_SCHEMA_REGISTRY_URL is not set: run through jest (globalSetup) or source dev-env.sh',
    );
  return url;
}

export function testCodec(): EventCodec {
  return new AvroCodec({
    registry: registryUrl(),
    catalog: createSchemaCatalog(
      testSchemas.map((schema) => ({ schema, source: 'runtime-support' })),
    ),
  });
}

export const quietLogger = () => pino({ level: process.env.TROUPE_TEST_LOG_LEVEL ?? 'silent' });

/**
 * A service tuned for tests: quick heartbeats and fetches, short retry delays, no HTTP server.
 * It starts from the earliest offset unless the definition says otherwise: most tests publish
 * before the service starts.
 */
export function testService<
  P extends PublishMap<TestEvents>,
  D extends DedupDeclaration | undefined,
>(
  definition: ServiceDefinition<TestEvents, P, D>,
  options: Partial<ServiceOptions> = {},
): TroupeService {
  const config = loadConfig({
    TROUPE_KAFKA_BROKERS: process.env.TROUPE_KAFKA_BROKERS,
    TROUPE_LOG_LEVEL: 'silent',
  });
  return createService(
    { startFrom: 'earliest', ...definition },
    {
      codec: options.codec ?? testCodec(),
      config,
      logger: quietLogger(),
      retry: { attempts: 3, backoffBaseMs: 20, backoffMaxMs: 100, topicDelaysMs: [500, 1_000] },
      consumer: {
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        maxWaitTimeMs: 200,
        rebalanceTimeoutMs: 15_000,
      },
      defaultMetrics: false,
      ...options,
    },
  );
}

/** A publisher for feeding test topics, with the same codec as the services. */
export async function testPublisher(
  codec: EventCodec = testCodec(),
  source = 'test-feeder',
): Promise<Publisher> {
  const publisher = new Publisher({ kafka: testKafka(uniqueName('feeder')), codec, source });
  await publisher.connect();
  return publisher;
}

/** Publishes one `test.runtime.Counted` event keyed `key` through a short-lived publisher. */
export async function publishCounted(topic: string, key: string, seq = 1): Promise<Envelope> {
  const publisher = await testPublisher();
  try {
    return await publisher.publish({
      type: 'test.runtime.Counted',
      topic,
      key,
      payload: { key, seq, note: null },
    });
  } finally {
    await publisher.disconnect();
  }
}

export interface Record_ {
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  value: Buffer | null;
  headers: RawHeaders;
  timestamp: number;
}

/** Reads a topic from the beginning with its own group until `done(records)` or the timeout. */
export async function readTopic(
  topic: string,
  done: (records: Record_[]) => boolean,
  timeoutMs = 30_000,
): Promise<Record_[]> {
  const records: Record_[] = [];
  await consumeUntil(
    topic,
    ({ topic: t, partition, message }) => {
      records.push(toRecord(t, partition, message));
      return done(records);
    },
    timeoutMs,
  ).catch((error: unknown) => {
    throw new Error(
      `readTopic ${topic}: condition not met within ${timeoutMs} ms (read ${records.length})`,
      { cause: error },
    );
  });
  return records;
}

function toRecord(topic: string, partition: number, message: ConsumedRecord): Record_ {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString(),
    value: message.value,
    headers: message.headers,
    timestamp: Number(message.timestamp),
  };
}

export function header(record: Record_, name: string): string | undefined {
  return headerString(record.headers, name);
}

/** The committed offsets of a group on a topic, partition → offset (-1 when none). */
export async function committedOffsets(
  groupId: string,
  topic: string,
): Promise<Map<number, number>> {
  const offsets = await withTestAdmin((admin) => admin.committedOffsets(groupId, [topic]));
  return new Map(offsets.map((p) => [p.partition, Number(p.offset)]));
}

/** The current series of one of a service's metrics (empty when it has none yet). */
export async function metricValues(service: TroupeService, name: string) {
  return (await service.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
}

/** The member ids of a consumer group, as the broker's group coordinator knows them. */
export async function groupMemberIds(groupId: string): Promise<string[]> {
  const groups = await withTestAdmin((admin) => admin.describeGroups([groupId]));
  return (groups[0]?.members ?? []).map((m) => m.memberId).sort();
}

export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Publishes `count` `test.runtime.Counted` events numbered 0…count-1 (`seq`), with ids
 * `${topic}-${i}` and Kafka keys from `keyOf` (default: one per event), in chunks of 1,000.
 */
export async function publishNumbered(
  topic: string,
  count: number,
  keyOf: (i: number) => string = (i) => `k${i}`,
): Promise<void> {
  const publisher = await testPublisher();
  try {
    for (let start = 0; start < count; start += 1_000) {
      const sends: Promise<unknown>[] = [];
      for (let i = start; i < Math.min(count, start + 1_000); i++)
        sends.push(
          publisher.publish({
            type: 'test.runtime.Counted',
            topic,
            key: keyOf(i),
            id: `${topic}-${i}`,
            payload: { key: keyOf(i), seq: i, note: null },
          }),
        );
      await Promise.all(sends);
    }
  } finally {
    await publisher.disconnect();
  }
}
