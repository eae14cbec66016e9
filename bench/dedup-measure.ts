// Relative imports, not @troupe/kit: `npx tsx bench/dedup.bench.ts` runs the sources without a build.
import { randomBytes } from 'node:crypto';
import pino from 'pino';
import { AvroCodec } from '../packages/kit/src/codec/avro-codec';
import { RedisDedupStore } from '../packages/kit/src/dedup/store';
import { dedupMiddleware } from '../packages/kit/src/dedup/middleware';
import { createFailFastRedis } from '../packages/kit/src/dedup/redis-client';
import type { KafkaDriver } from '../packages/kit/src/kafka/driver';
import type { Middleware } from '../packages/kit/src/middleware/types';
import { Publisher } from '../packages/kit/src/publish/publisher';
import { defineService } from '../packages/kit/src/runtime/define-service';
import { createService } from '../packages/kit/src/runtime/service';
import { createSchemaCatalog } from '../packages/kit/src/schemas/catalog';
import { benchConfig, benchDriver, createBenchTopics, deleteBenchTopics } from './troupe-kafka';

export interface DedupBenchResult {
  events: number;
  partitions: number;
  partitionsConsumedConcurrently: number;
  /** A Troupe service, no-op handler, no dedup. */
  withoutDedupEventsPerSec: number;
  /** The same service with dedupMiddleware (claim per batch, done marks deferred into the next round trip). */
  withDedupEventsPerSec: number;
  /** with / without: median of the rounds' paired ratios. */
  ratio: number;
  roundRatios: number[];
  /** Redis round trips the dedup run made per fetched batch (claims + marks). */
  redisRoundTripsPerBatch: number;
  rounds: number;
  node: string;
  measuredAt: string;
}

interface Bench {
  events: number;
  partitions: number;
  concurrency: number;
  rounds: number;
  brokers: string[];
  registryUrl: string;
  redisUrl: string;
  /** What the handler does per event besides counting; none (a no-op handler) by default. */
  effect?: (eventId: string) => Promise<void>;
}

const EVENT = 'bench.dedup.Ticked';
const schema = {
  type: 'record',
  name: 'Ticked',
  namespace: 'bench.dedup',
  fields: [
    { name: 'key', type: 'string' },
    { name: 'seq', type: 'long' },
  ],
};
/** Bench keys live apart from real ones and expire soon; they are also deleted at the end. */
const PREFIX = 'troupe:bench-dedup';

const unique = (prefix: string) =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/**
 * Consume throughput of one Troupe service with and without dedup, on the same pre-filled topic in
 * the same run. Each run uses a fresh consumer group and a fresh dedup namespace, so every event is
 * claimed and marked (the costly path, not the skip path). Rounds alternate which goes first.
 */
export async function measureDedup(
  options: Partial<Bench> & Pick<Bench, 'brokers' | 'registryUrl' | 'redisUrl'>,
): Promise<DedupBenchResult> {
  const bench: Bench = { events: 100_000, partitions: 4, concurrency: 4, rounds: 5, ...options };
  const kafka = benchDriver(bench.brokers, 'dedup-bench');
  const codec = new AvroCodec({
    registry: bench.registryUrl,
    catalog: createSchemaCatalog([{ schema, source: 'dedup-bench' }]),
  });
  const redis = createFailFastRedis(bench.redisUrl, { commandTimeout: 5_000 });
  let pipelines = 0;
  let batches = 0;
  const countingRedis = new Proxy(redis, {
    get(target, property, receiver) {
      if (property === 'pipeline') pipelines++;
      return Reflect.get(target, property, receiver);
    },
  });
  const topic = unique('bench-dedup');
  try {
    await createBenchTopics(kafka, [{ topic, partitions: bench.partitions }]);
    await fill(kafka, codec, topic, bench.events);
    const without: number[] = [];
    const withDedup: number[] = [];
    const ratios: number[] = [];
    const run = async (dedup: boolean) => {
      if (!dedup) return consume(codec, topic, bench, () => []);
      return consume(codec, topic, bench, (service) => {
        const store = new RedisDedupStore({
          redis: countingRedis,
          service,
          prefix: PREFIX,
          doneTtlMs: 600_000,
        });
        const middleware = dedupMiddleware(store);
        const counted: Middleware = Object.assign(
          (next: Parameters<Middleware>[0]) => middleware(next),
          {
            prepareBatch: async (events: Parameters<typeof middleware.prepareBatch>[0]) => {
              batches++;
              await middleware.prepareBatch(events);
            },
            finishBatch: () => middleware.finishBatch(),
          },
        );
        return [counted];
      });
    };
    for (let round = 0; round < bench.rounds; round++) {
      if (round % 2 === 0) {
        without.push(await run(false));
        withDedup.push(await run(true));
      } else {
        withDedup.push(await run(true));
        without.push(await run(false));
      }
      ratios.push(withDedup[round]! / without[round]!);
    }
    return {
      events: bench.events,
      partitions: bench.partitions,
      partitionsConsumedConcurrently: bench.concurrency,
      withoutDedupEventsPerSec: Math.round(median(without)),
      withDedupEventsPerSec: Math.round(median(withDedup)),
      ratio: Math.round(median(ratios) * 100) / 100,
      roundRatios: ratios.map((r) => Math.round(r * 100) / 100),
      redisRoundTripsPerBatch: Math.round((pipelines / Math.max(1, batches)) * 100) / 100,
      rounds: bench.rounds,
      node: process.version,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    await deleteBenchTopics(kafka, [topic, `${topic}.dlq`]);
    await deleteKeys(redis, `${PREFIX}:*`);
    redis.disconnect();
  }
}

async function fill(
  kafka: KafkaDriver,
  codec: AvroCodec,
  topic: string,
  events: number,
): Promise<void> {
  const publisher = new Publisher({ kafka, codec, source: 'dedup-bench' });
  try {
    for (let start = 0; start < events; start += 5_000) {
      const batch = Array.from({ length: Math.min(5_000, events - start) }, (_, i) => {
        const key = `key-${(start + i) % 1_000}`;
        return { type: EVENT, topic, key, payload: { key, seq: start + i } };
      });
      await publisher.publishMany(batch);
    }
  } finally {
    await publisher.disconnect();
  }
}

async function consume(
  codec: AvroCodec,
  topic: string,
  bench: Bench,
  middleware: (service: string) => Middleware[],
): Promise<number> {
  const { effect } = bench;
  let first = 0;
  let seen = 0;
  let finish: (rate: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (finish = resolve));
  const name = unique('bench-dedup-service');
  const definition = defineService<{ [EVENT]: { key: string; seq: number } }>()({
    name,
    topics: [topic],
    startFrom: 'earliest', // the events are published before the service starts
    middleware: middleware(name),
    consumes: {
      [EVENT]: effect
        ? async (_payload, ctx) => {
            if (first === 0) first = performance.now();
            await effect(ctx.metadata.id);
            if (++seen === bench.events)
              finish(bench.events / ((performance.now() - first) / 1_000));
          }
        : () => {
            if (first === 0) first = performance.now();
            if (++seen === bench.events)
              finish(bench.events / ((performance.now() - first) / 1_000));
          },
    },
  });
  const service = createService(definition, {
    codec,
    config: benchConfig(bench.brokers),
    logger: pino({ level: 'silent' }),
    partitionConcurrency: bench.concurrency,
    retry: { topicDelaysMs: [] },
    consumer: { maxWaitTimeMs: 1_000 },
    defaultMetrics: false,
  });
  await service.start();
  const rate = await done;
  await service.stop();
  return rate;
}

async function deleteKeys(redis: import('ioredis').Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5_000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
