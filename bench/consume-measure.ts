// Relative imports, not @troupe/kit: `npx tsx bench/consume.bench.ts` runs the sources without a build.
import { randomBytes } from 'node:crypto';
import { EachBatchPayload, Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import { AvroCodec } from '../packages/kit/src/codec/avro-codec';
import type { KafkaDriver } from '../packages/kit/src/kafka/driver';
import { Publisher } from '../packages/kit/src/publish/publisher';
import { defineService } from '../packages/kit/src/runtime/define-service';
import { createService } from '../packages/kit/src/runtime/service';
import { createSchemaCatalog } from '../packages/kit/src/schemas/catalog';
import { benchConfig, benchDriver, createBenchTopics, deleteBenchTopics } from './troupe-kafka';

export interface ConsumeBenchResult {
  events: number;
  partitions: number;
  partitionsConsumedConcurrently: number;
  messageBytes: number;
  /** Raw kafkajs eachBatch: resolve every offset, commit per batch, no decode, no handler. */
  rawEventsPerSec: number;
  /** A Troupe service: Avro decode + the default middleware chain + a no-op handler + commit per batch. */
  serviceEventsPerSec: number;
  /** service / raw: the share of raw kafkajs throughput the runtime keeps (median of the rounds' paired ratios). */
  ratio: number;
  roundRatios: number[];
  /** Process CPU per event; the CPU ratio (raw / service) is the steadier figure on a busy machine. */
  rawCpuMicrosPerEvent: number;
  serviceCpuMicrosPerEvent: number;
  cpuRatio: number;
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
}

const EVENT = 'bench.consume.Ticked';
const schema = {
  type: 'record',
  name: 'Ticked',
  namespace: 'bench.consume',
  fields: [
    { name: 'key', type: 'string' },
    { name: 'seq', type: 'long' },
  ],
};

const unique = (prefix: string) =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

/**
 * Consume throughput of a service against raw kafkajs on the same topic in the same run.
 * Both read every event of a pre-filled topic with a fresh consumer group, the same
 * partitionsConsumedConcurrently and fetch settings; the clock runs from the first batch to the
 * last event (group joins are excluded). Rounds alternate which runs first; medians are reported.
 */
export async function measureConsume(
  options: Partial<Bench> & Pick<Bench, 'brokers' | 'registryUrl'>,
): Promise<ConsumeBenchResult> {
  const bench: Bench = { events: 100_000, partitions: 4, concurrency: 4, rounds: 5, ...options };
  // The baseline's bare kafkajs client; Troupe's side goes through the driver.
  const rawKafka = new Kafka({
    clientId: 'consume-bench-raw',
    brokers: bench.brokers,
    logLevel: logLevel.NOTHING,
  });
  const kafka = benchDriver(bench.brokers, 'consume-bench');
  const codec = new AvroCodec({
    registry: bench.registryUrl,
    catalog: createSchemaCatalog([{ schema, source: 'consume-bench' }]),
  });
  const topic = unique('bench-consume');
  try {
    await createBenchTopics(kafka, [{ topic, partitions: bench.partitions }]);
    const messageBytes = await fill(kafka, codec, topic, bench.events);
    const raw: RunFigures[] = [];
    const service: RunFigures[] = [];
    const ratios: number[] = [];
    for (let round = 0; round < bench.rounds; round++) {
      // Alternate which goes first, and pair each round's two runs: load from other processes
      // drifts over seconds, so a paired ratio is steadier than a ratio of separate medians.
      if (round % 2 === 0) {
        raw.push(await consumeRaw(rawKafka, topic, bench));
        service.push(await consumeWithService(codec, topic, bench));
      } else {
        service.push(await consumeWithService(codec, topic, bench));
        raw.push(await consumeRaw(rawKafka, topic, bench));
      }
      ratios.push(service[round]!.rate / raw[round]!.rate);
    }
    const rawEventsPerSec = Math.round(median(raw.map((r) => r.rate)));
    const serviceEventsPerSec = Math.round(median(service.map((r) => r.rate)));
    const rawCpu = median(raw.map((r) => r.cpuMicros));
    const serviceCpu = median(service.map((r) => r.cpuMicros));
    return {
      events: bench.events,
      partitions: bench.partitions,
      partitionsConsumedConcurrently: bench.concurrency,
      messageBytes,
      rawEventsPerSec,
      serviceEventsPerSec,
      ratio: Math.round(median(ratios) * 100) / 100,
      roundRatios: ratios.map((r) => Math.round(r * 100) / 100),
      rawCpuMicrosPerEvent: round2(rawCpu),
      serviceCpuMicrosPerEvent: round2(serviceCpu),
      cpuRatio: round2(rawCpu / serviceCpu),
      rounds: bench.rounds,
      node: process.version,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    await deleteBenchTopics(kafka, [topic, `${topic}.dlq`]);
  }
}

async function fill(
  kafka: KafkaDriver,
  codec: AvroCodec,
  topic: string,
  events: number,
): Promise<number> {
  const publisher = new Publisher({ kafka, codec, source: 'consume-bench' });
  let bytes = 0;
  try {
    for (let start = 0; start < events; start += 5_000) {
      const batch = Array.from({ length: Math.min(5_000, events - start) }, (_, i) => {
        const key = `key-${(start + i) % 1_000}`;
        return { type: EVENT, topic, key, payload: { key, seq: start + i } };
      });
      await publisher.publishMany(batch);
    }
    bytes = (await codec.encode(topic, EVENT, { key: 'key-1', seq: 1 })).length;
  } finally {
    await publisher.disconnect();
  }
  return bytes;
}

interface RunFigures {
  /** Events per second, wall clock. */
  rate: number;
  /** Process CPU time (user + system) per event, in microseconds: unlike the rate, barely moved by other load on the machine. */
  cpuMicros: number;
}

/** Wall clock and CPU time from the first batch to the last event. */
function stopwatch(total: number) {
  let first = 0;
  let cpu: NodeJS.CpuUsage | undefined;
  let seen = 0;
  let finish: (figures: RunFigures) => void = () => undefined;
  const done = new Promise<RunFigures>((resolve) => (finish = resolve));
  return {
    done,
    started: () => {
      if (first === 0) {
        first = performance.now();
        cpu = process.cpuUsage();
      }
    },
    add: (n: number) => {
      seen += n;
      if (seen >= total) {
        const used = process.cpuUsage(cpu);
        finish({
          rate: total / ((performance.now() - first) / 1_000),
          cpuMicros: (used.user + used.system) / total,
        });
      }
    },
  };
}

async function consumeRaw(kafka: Kafka, topic: string, bench: Bench): Promise<RunFigures> {
  const consumer = kafka.consumer({ groupId: unique('bench-raw'), maxWaitTimeInMs: 1_000 });
  const clock = stopwatch(bench.events);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: bench.concurrency,
    eachBatch: async ({ batch, resolveOffset, commitOffsetsIfNecessary }: EachBatchPayload) => {
      clock.started();
      let last: string | undefined;
      for (const message of batch.messages) {
        resolveOffset(message.offset);
        last = message.offset;
      }
      if (last !== undefined) {
        await commitOffsetsIfNecessary({
          topics: [
            {
              topic,
              partitions: [{ partition: batch.partition, offset: (BigInt(last) + 1n).toString() }],
            },
          ],
        });
      }
      clock.add(batch.messages.length);
    },
  });
  const rate = await clock.done;
  await consumer.disconnect();
  return rate;
}

async function consumeWithService(
  codec: AvroCodec,
  topic: string,
  bench: Bench,
): Promise<RunFigures> {
  const clock = stopwatch(bench.events);
  const definition = defineService<{ [EVENT]: { key: string; seq: number } }>()({
    name: unique('bench-service'),
    topics: [topic],
    consumes: {
      [EVENT]: () => {
        clock.started();
        clock.add(1);
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
  const rate = await clock.done;
  await service.stop();
  return rate;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
