// Relative imports, not @troupe/kit: `npx tsx bench/consume.bench.ts` runs the sources without a build.
import pino from 'pino';
import { AvroCodec } from '../packages/kit/src/codec/avro-codec';
import type { KafkaDriver } from '../packages/kit/src/kafka/driver';
import { Publisher } from '../packages/kit/src/publish/publisher';
import { toMessage } from '../packages/kit/src/publish/to-message';
import { defineService } from '../packages/kit/src/runtime/define-service';
import { createService } from '../packages/kit/src/runtime/service';
import { createSchemaCatalog } from '../packages/kit/src/schemas/catalog';
import { RunFigures, Spread, median, round2, spread, stopwatch, unique } from './figures';
import { profiled } from './profile';
import { RawClient, rawClientFor } from './raw-clients';
import { benchConfig, benchDriver, createBenchTopics, deleteBenchTopics } from './troupe-kafka';

export interface ConsumeBenchResult {
  /** Troupe's driver (TROUPE_KAFKA_DRIVER), whose own client library is the baseline. */
  driver: string;
  events: number;
  partitions: number;
  partitionsConsumedConcurrently: number;
  messageBytes: number;
  headersPerEvent: number;
  /** What the baseline does; null when the driver has none in bench/raw-clients.ts (then no ratio). */
  rawBaseline: string | null;
  /** The driver's raw client: resolve every offset, commit per batch, no decode, no handler. */
  rawEventsPerSec: Spread | null;
  /** A Troupe service on the driver: Avro decode + the default middleware chain + a no-op handler + commit per batch. */
  serviceEventsPerSec: Spread;
  /** service / raw: the share of the raw client's throughput the runtime keeps (median and range of the rounds' paired ratios). */
  ratio: Spread | null;
  roundRatios: number[];
  /** Process CPU per event; the CPU ratio (raw / service) is the steadier figure on a busy machine. */
  rawCpuMicrosPerEvent: Spread | null;
  serviceCpuMicrosPerEvent: Spread;
  cpuRatio: number | null;
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

/**
 * Consume throughput of a service against its driver's raw client on the same topic in the same
 * run. Both read every event of a pre-filled topic with a fresh consumer group, the same
 * partitionsConsumedConcurrently and fetch settings; the clock runs from the first batch to the
 * last event (group joins are excluded). Rounds alternate which runs first; medians are reported.
 */
export async function measureConsume(
  options: Partial<Bench> & Pick<Bench, 'brokers' | 'registryUrl'>,
): Promise<ConsumeBenchResult> {
  const bench: Bench = { events: 100_000, partitions: 4, concurrency: 4, rounds: 5, ...options };
  // Troupe's side goes through the driver; the baseline is that driver's library used directly.
  const kafka = benchDriver(bench.brokers, 'consume-bench');
  const rawClient = rawClientFor(kafka.name, bench.brokers, 'consume-bench-raw');
  const codec = new AvroCodec({
    registry: bench.registryUrl,
    catalog: createSchemaCatalog([{ schema, source: 'consume-bench' }]),
  });
  const topic = unique('bench-consume');
  try {
    await createBenchTopics(kafka, [{ topic, partitions: bench.partitions }]);
    const { messageBytes, headersPerEvent } = await fill(kafka, codec, topic, bench.events);
    const raw: RunFigures[] = [];
    const service: RunFigures[] = [];
    const ratios: number[] = [];
    const runRaw = async (client: RawClient, round: number) =>
      raw.push(
        await profiled(`consume-raw-${client.library}-r${round}`, () =>
          client.consume(topic, { events: bench.events, concurrency: bench.concurrency }),
        ),
      );
    const runService = async (round: number) =>
      service.push(
        await profiled(`consume-troupe-${kafka.name}-r${round}`, () =>
          consumeWithService(codec, topic, bench),
        ),
      );
    for (let round = 0; round < bench.rounds; round++) {
      // Alternate which goes first, and pair each round's two runs: load from other processes
      // drifts over seconds, so a paired ratio is steadier than a ratio of separate medians.
      if (!rawClient) {
        await runService(round);
      } else if (round % 2 === 0) {
        await runRaw(rawClient, round);
        await runService(round);
      } else {
        await runService(round);
        await runRaw(rawClient, round);
      }
      if (rawClient) ratios.push(service[round]!.rate / raw[round]!.rate);
    }
    const rawCpu = raw.map((r) => r.cpuMicros);
    const serviceCpu = service.map((r) => r.cpuMicros);
    return {
      driver: kafka.name,
      events: bench.events,
      partitions: bench.partitions,
      partitionsConsumedConcurrently: bench.concurrency,
      messageBytes,
      headersPerEvent,
      rawBaseline: rawClient ? rawClient.consumeLabel : null,
      rawEventsPerSec: rawClient ? spread(raw.map((r) => r.rate)) : null,
      serviceEventsPerSec: spread(service.map((r) => r.rate)),
      ratio: rawClient ? spread(ratios, 2) : null,
      roundRatios: ratios.map(round2),
      rawCpuMicrosPerEvent: rawClient ? spread(rawCpu, 2) : null,
      serviceCpuMicrosPerEvent: spread(serviceCpu, 2),
      cpuRatio: rawClient ? round2(median(rawCpu) / median(serviceCpu)) : null,
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
): Promise<{ messageBytes: number; headersPerEvent: number }> {
  const publisher = new Publisher({ kafka, codec, source: 'consume-bench' });
  try {
    for (let start = 0; start < events; start += 5_000) {
      const batch = Array.from({ length: Math.min(5_000, events - start) }, (_, i) => {
        const key = `key-${(start + i) % 1_000}`;
        return { type: EVENT, topic, key, payload: { key, seq: start + i } };
      });
      await publisher.publishMany(batch);
    }
    const sample = await toMessage(
      { type: EVENT, topic, key: 'key-1', payload: { key: 'key-1', seq: 1 } },
      codec,
      'consume-bench',
    );
    return {
      messageBytes: sample.value.length,
      headersPerEvent: Object.keys(sample.headers).length,
    };
  } finally {
    await publisher.disconnect();
  }
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
    startFrom: 'earliest', // the events are published before the service starts
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
