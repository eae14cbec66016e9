// Relative imports, not @troupe/kit: `npx tsx bench/outbox.bench.ts` runs the sources without a build.
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, Message, Producer, logLevel } from 'kafkajs';
import { Pool } from 'pg';
import pino from 'pino';
import { AvroCodec } from '../packages/kit/src/codec/avro-codec';
import { envelopeFor, envelopeHeaders } from '../packages/kit/src/events/envelope';
import type { KafkaDriver } from '../packages/kit/src/kafka/driver';
import type { RecordProducer } from '../packages/kit/src/kafka/producer';
import { OutboxRelay } from '../packages/kit/src/outbox/pg-relay';
import { PgOutbox } from '../packages/kit/src/outbox/pg-outbox';
import { toMessage } from '../packages/kit/src/publish/to-message';
import { defineService } from '../packages/kit/src/runtime/define-service';
import { createService } from '../packages/kit/src/runtime/service';
import { createSchemaCatalog } from '../packages/kit/src/schemas/catalog';
import { benchConfig, benchDriver, createBenchTopics, deleteBenchTopics } from './troupe-kafka';

export interface OutboxBenchResult {
  events: number;
  messageBytes: number;
  batchSize: number;
  /** An idempotent kafkajs producer sending the same messages in batches of batchSize. */
  rawProduceEventsPerSec: number;
  /** The relay draining the same messages from the outbox table (claim → publish → mark sent). */
  relayEventsPerSec: number;
  /** relay / raw: median of the rounds' paired ratios. */
  ratio: number;
  roundRatios: number[];
  rounds: number;
  latency: {
    events: number;
    ratePerSec: number;
    /** Business transaction COMMIT returned → the Troupe service's handler ran (LISTEN/NOTIFY relay). */
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
  };
  node: string;
  measuredAt: string;
}

interface Bench {
  events: number;
  rounds: number;
  batchSize: number;
  latencyEvents: number;
  latencyRatePerSec: number;
  brokers: string[];
  registryUrl: string;
  databaseUrl: string;
}

const EVENT = 'bench.outbox.OrderPlaced';
const schema = {
  type: 'record',
  name: 'OrderPlaced',
  namespace: 'bench.outbox',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'amountCents', type: 'long' },
    { name: 'note', type: 'string' },
  ],
};

const unique = (prefix: string) =>
  `${prefix}_${process.pid}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

/**
 * Relay throughput against raw kafkajs produce of the same messages in the same run, then
 * end-to-end latency from a business transaction's commit to a Troupe service's handler.
 */
export async function measureOutbox(
  options: Partial<Bench> & Pick<Bench, 'brokers' | 'registryUrl' | 'databaseUrl'>,
): Promise<OutboxBenchResult> {
  const bench: Bench = {
    events: 20_000,
    rounds: 3,
    batchSize: 500,
    latencyEvents: 1_000,
    latencyRatePerSec: 200,
    ...options,
  };
  // The baseline's bare kafkajs client; Troupe's side (the relays, topic setup) goes through the driver.
  const rawKafka = new Kafka({
    clientId: 'outbox-bench-raw',
    brokers: bench.brokers,
    logLevel: logLevel.NOTHING,
  });
  const kafka = benchDriver(bench.brokers, 'outbox-bench');
  const pool = new Pool({ connectionString: bench.databaseUrl, max: 8 });
  const topic = unique('bench_outbox').replace(/_/g, '-');
  const tables: PgOutbox[] = [];
  try {
    await createBenchTopics(kafka, [{ topic, partitions: 4 }]);
    const messages = sampleMessages(bench.events);
    // Both idempotent with one request in flight and acks=all, connected once for every round.
    const producer = rawKafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    const relayProducer = kafka.producer();
    await producer.connect();
    await relayProducer.connect();
    const raw: number[] = [];
    const relay: number[] = [];
    const ratios: number[] = [];
    try {
      const runRelay = async () => {
        const outbox = new PgOutbox({ table: unique('bench_outbox'), notify: false });
        tables.push(outbox);
        await outbox.migrate(pool);
        await fillOutbox(pool, outbox, topic, messages);
        return drainWithRelay(pool, outbox, relayProducer, bench);
      };
      for (let round = 0; round < bench.rounds; round++) {
        if (round % 2 === 0) {
          raw.push(await produceRaw(producer, topic, messages, bench.batchSize));
          relay.push(await runRelay());
        } else {
          relay.push(await runRelay());
          raw.push(await produceRaw(producer, topic, messages, bench.batchSize));
        }
        ratios.push(relay[round]! / raw[round]!);
      }
    } finally {
      await producer.disconnect();
      await relayProducer.disconnect();
    }
    const latency = await measureLatency(kafka, pool, topic, bench, tables);
    return {
      events: bench.events,
      messageBytes: (messages[0]?.value as Buffer).length,
      batchSize: bench.batchSize,
      rawProduceEventsPerSec: Math.round(median(raw)),
      relayEventsPerSec: Math.round(median(relay)),
      ratio: Math.round(median(ratios) * 100) / 100,
      roundRatios: ratios.map((r) => Math.round(r * 100) / 100),
      rounds: bench.rounds,
      latency,
      node: process.version,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    await deleteBenchTopics(kafka, [topic, `${topic}.dlq`]);
    for (const outbox of tables)
      await pool.query(`DROP TABLE IF EXISTS ${outbox.table.sql}`).catch(() => undefined);
    await pool.end();
  }
}

/** ~200-byte values with the eight CloudEvents headers a real event carries. */
function sampleMessages(count: number): Message[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `order-${i % 1_000}`;
    const envelope = envelopeFor({ type: EVENT, key, topic: 't', payload: null }, 'outbox-bench');
    return { key, value: randomBytes(200), headers: envelopeHeaders(envelope) };
  });
}

async function fillOutbox(
  pool: Pool,
  outbox: PgOutbox,
  topic: string,
  messages: Message[],
): Promise<void> {
  const tx = await pool.connect();
  try {
    await tx.query('BEGIN');
    for (let i = 0; i < messages.length; i += 1_000) {
      await outbox.addMany(
        tx,
        messages.slice(i, i + 1_000).map((m) => ({ ...m, topic })),
      );
    }
    await tx.query('COMMIT');
  } finally {
    tx.release();
  }
}

async function produceRaw(
  producer: Producer,
  topic: string,
  messages: Message[],
  batchSize: number,
): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < messages.length; i += batchSize) {
    await producer.sendBatch({
      topicMessages: [{ topic, messages: messages.slice(i, i + batchSize) }],
      acks: -1,
    });
  }
  return messages.length / ((performance.now() - started) / 1_000);
}

/** Events/s from relay start to the last row marked sent. */
async function drainWithRelay(
  pool: Pool,
  outbox: PgOutbox,
  producer: RecordProducer,
  bench: Bench,
): Promise<number> {
  let published = 0;
  let finish: () => void = () => undefined;
  const drained = new Promise<void>((resolve) => (finish = resolve));
  const relay = new OutboxRelay({
    outbox,
    pool,
    producer,
    batchSize: bench.batchSize,
    listen: false,
    pollIntervalMs: 20,
    onPublished: (rows) => {
      published += rows.length;
    },
  });
  const started = performance.now();
  await relay.start();
  // The last batch is done once the relay goes looking for more and finds nothing.
  const watch = setInterval(() => {
    if (published >= bench.events) void outbox.stats(pool).then((s) => s.pending === 0 && finish());
  }, 5);
  await drained;
  const elapsed = performance.now() - started;
  clearInterval(watch);
  await relay.stop();
  return bench.events / (elapsed / 1_000);
}

async function measureLatency(
  kafka: KafkaDriver,
  pool: Pool,
  topic: string,
  bench: Bench,
  tables: PgOutbox[],
): Promise<OutboxBenchResult['latency']> {
  const codec = new AvroCodec({
    registry: bench.registryUrl,
    catalog: createSchemaCatalog([{ schema, source: 'outbox-bench' }]),
  });
  const latencyTopic = `${topic}-latency`;
  await createBenchTopics(kafka, [{ topic: latencyTopic, partitions: 4 }]);
  const outbox = new PgOutbox({
    table: unique('bench_outbox'),
    encode: (event) => toMessage(event, codec, 'outbox-bench'),
  });
  tables.push(outbox);
  await outbox.migrate(pool);

  const committedAt = new Map<string, number>();
  const latencies: number[] = [];
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const definition = defineService<{
    [EVENT]: { orderId: string; amountCents: number; note: string };
  }>()({
    name: unique('outbox-bench-service').replace(/_/g, '-'),
    topics: [latencyTopic],
    startFrom: 'earliest', // the events are published before the service starts
    consumes: {
      [EVENT]: (_payload, ctx) => {
        const at = committedAt.get(ctx.metadata.id);
        if (at === undefined) return; // the warm-up event
        committedAt.delete(ctx.metadata.id);
        latencies.push(performance.now() - at);
        if (latencies.length >= bench.latencyEvents) finish();
      },
    },
  });
  const service = createService(definition, {
    codec,
    config: benchConfig(bench.brokers),
    logger: pino({ level: 'silent' }),
    retry: { topicDelaysMs: [] },
    consumer: { maxWaitTimeMs: 100 },
    defaultMetrics: false,
  });
  const relay = new OutboxRelay({ outbox, pool, kafka, pollIntervalMs: 1_000 });
  try {
    await service.start();
    await relay.start();
    // Warm up: the schema is registered and the consumer has its partitions before the clock runs.
    await commitOne(pool, outbox, latencyTopic, 'warm-up', new Map());
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    committedAt.clear();
    const interval = 1_000 / bench.latencyRatePerSec;
    const started = performance.now();
    for (let i = 0; i < bench.latencyEvents; i++) {
      await commitOne(pool, outbox, latencyTopic, `order-${i % 100}`, committedAt);
      const wait = started + (i + 1) * interval - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
    clearTimeout(timer);
  } finally {
    await relay.stop();
    await service.stop();
    await deleteBenchTopics(kafka, [latencyTopic, `${latencyTopic}.dlq`]);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round(
      (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? NaN) * 10,
    ) / 10;
  return {
    events: latencies.length,
    ratePerSec: bench.latencyRatePerSec,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    maxMs: at(1),
  };
}

/** One business transaction: a row of its own (here: none) plus one outbox event, then COMMIT. */
async function commitOne(
  pool: Pool,
  outbox: PgOutbox,
  topic: string,
  orderId: string,
  committedAt: Map<string, number>,
): Promise<void> {
  const id = randomUUID();
  const tx = await pool.connect();
  try {
    await tx.query('BEGIN');
    await outbox.add(tx, {
      type: EVENT,
      topic,
      key: orderId,
      id,
      payload: { orderId, amountCents: 1299, note: 'bench' },
    });
    // Set before COMMIT too: should the handler run before COMMIT's reply is read, the latency
    // counts from before the commit (an overestimate), never from nothing.
    committedAt.set(id, performance.now());
    await tx.query('COMMIT');
    if (committedAt.has(id)) committedAt.set(id, performance.now());
  } finally {
    tx.release();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
