// Relative imports, not @troupe/kit: `npx tsx bench/publish.bench.ts` runs the sources without a build.
import { AvroCodec } from '../packages/kit/src/codec/avro-codec';
import type { OutgoingEvent } from '../packages/kit/src/events/envelope';
import { Publisher } from '../packages/kit/src/publish/publisher';
import { toMessage } from '../packages/kit/src/publish/to-message';
import { createSchemaCatalog } from '../packages/kit/src/schemas/catalog';
import { RunFigures, Spread, round2, spread, timed, unique } from './figures';
import { profiled } from './profile';
import { RawProducer, RawRecord, rawClientFor } from './raw-clients';
import { benchDriver, createBenchTopics, deleteBenchTopics } from './troupe-kafka';

/** One side of the bench at one batch size, over the rounds. */
export interface PublishSideFigures {
  eventsPerSec: Spread;
  cpuMicrosPerEvent: Spread;
}

export interface PublishBatchFigures {
  batchSize: number;
  /** The driver's raw client sending the pre-encoded records; null when the driver has no baseline. */
  raw: PublishSideFigures | null;
  /** Publisher.sendEncoded of the same pre-encoded events: Troupe's send path alone. */
  troupeSendOnly: PublishSideFigures;
  /** Publisher.publishMany of the events: envelope + Avro encode + headers + send, as a service publishes. */
  troupeWithEncode: PublishSideFigures;
  /** Troupe / raw, median and range of the rounds' paired ratios (events/s). */
  sendOnlyRatio: Spread | null;
  withEncodeRatio: Spread | null;
  roundSendOnlyRatios: number[];
  roundWithEncodeRatios: number[];
}

export interface PublishBenchResult {
  /** Troupe's driver (TROUPE_KAFKA_DRIVER), whose own client library is the baseline. */
  driver: string;
  /** What the baseline does; null when the driver has none in bench/raw-clients.ts (then no ratio). */
  rawBaseline: string | null;
  events: number;
  partitions: number;
  /** Avro value, wire format (5-byte header included), of the first event. */
  messageBytes: number;
  headersPerEvent: number;
  batches: PublishBatchFigures[];
  rounds: number;
  node: string;
  measuredAt: string;
}

interface Bench {
  events: number;
  partitions: number;
  batchSizes: number[];
  rounds: number;
  warmUpEvents: number;
  valueBytes: number;
  brokers: string[];
  registryUrl: string;
}

const EVENT = 'bench.publish.OrderShipped';
const SOURCE = 'publish-bench';
const schema = {
  type: 'record',
  name: 'OrderShipped',
  namespace: 'bench.publish',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'seq', type: 'long' },
    { name: 'note', type: 'string' },
  ],
};

type Side = 'raw' | 'troupeSendOnly' | 'troupeWithEncode';

/**
 * Produce throughput of Troupe's Publisher on its driver against the driver's raw client, same
 * topic, same records, same batch sizes, one batch in flight at a time, in the same run. The raw
 * client and Publisher.sendEncoded send the same records, encoded once up front by the codec (so
 * the baseline measures the client alone); Publisher.publishMany also builds each envelope,
 * encodes each payload and writes the headers, as a service's publish does. Each round runs the
 * three in a rotating order at every batch size; ratios are paired within a round.
 */
export async function measurePublish(
  options: Partial<Bench> & Pick<Bench, 'brokers' | 'registryUrl'>,
): Promise<PublishBenchResult> {
  const bench: Bench = {
    events: 20_000,
    partitions: 4,
    batchSizes: [100, 1_000],
    rounds: 5,
    warmUpEvents: 2_000,
    valueBytes: 1_024,
    ...options,
  };
  const kafka = benchDriver(bench.brokers, 'publish-bench');
  const rawClient = rawClientFor(kafka.name, bench.brokers, 'publish-bench-raw');
  const codec = new AvroCodec({
    registry: bench.registryUrl,
    catalog: createSchemaCatalog([{ schema, source: SOURCE }]),
  });
  const topic = unique('bench-publish');
  const publisher = new Publisher({ kafka, codec, source: SOURCE });
  let rawProducer: RawProducer | undefined;
  try {
    await createBenchTopics(kafka, [{ topic, partitions: bench.partitions }]);
    const events = await sampleEvents(codec, topic, bench.events, bench.valueBytes);
    // Encoded once, up front, by Troupe's own toMessage: the records the raw client and
    // sendEncoded send are the ones publishMany would have built (same value, same 8 headers).
    const encoded = await Promise.all(events.map((e) => toMessage(e, codec, SOURCE)));
    const records: RawRecord[] = encoded.map(({ key, value, headers }) => ({
      key,
      value,
      headers,
    }));
    await publisher.connect();
    rawProducer = await rawClient?.producer();

    // Each side's run, prepared before the clock starts: the batches are sliced up front.
    const prepare: Record<Side, (batchSize: number, count: number) => () => Promise<void>> = {
      raw: (size, count) => {
        const batches = chunks(records.slice(0, count), size);
        return async () => {
          for (const batch of batches) await rawProducer!.send(topic, batch);
        };
      },
      troupeSendOnly: (size, count) => {
        const batches = chunks(encoded.slice(0, count), size);
        return async () => {
          for (const batch of batches) await publisher.sendEncoded(batch);
        };
      },
      troupeWithEncode: (size, count) => {
        const batches = chunks(events.slice(0, count), size);
        return async () => {
          for (const batch of batches) await publisher.publishMany(batch);
        };
      },
    };
    const sides: Side[] = rawProducer
      ? ['raw', 'troupeSendOnly', 'troupeWithEncode']
      : ['troupeSendOnly', 'troupeWithEncode'];

    // Warm-up: connections, metadata, producer ids, the JIT; not measured.
    for (const side of sides) {
      for (const size of bench.batchSizes) await prepare[side](size, bench.warmUpEvents)();
    }

    const figures = new Map<number, Record<Side, RunFigures[]>>(
      bench.batchSizes.map((size) => [size, { raw: [], troupeSendOnly: [], troupeWithEncode: [] }]),
    );
    for (let round = 0; round < bench.rounds; round++) {
      for (const size of bench.batchSizes) {
        // A rotating order: load from other processes drifts over seconds, and no side always goes first.
        const order = sides.map((_, i) => sides[(i + round) % sides.length]!);
        for (const side of order) {
          const run = prepare[side](size, bench.events);
          const result = await profiled(`publish-${side}-${kafka.name}-b${size}-r${round}`, () =>
            timed(bench.events, run),
          );
          figures.get(size)![side].push(result);
        }
      }
    }

    return {
      driver: kafka.name,
      rawBaseline: rawClient ? rawClient.produceLabel : null,
      events: bench.events,
      partitions: bench.partitions,
      messageBytes: encoded[0]!.value.length,
      headersPerEvent: Object.keys(encoded[0]!.headers).length,
      batches: bench.batchSizes.map((size) => summarise(size, figures.get(size)!, !!rawProducer)),
      rounds: bench.rounds,
      node: process.version,
      measuredAt: new Date().toISOString(),
    };
  } finally {
    await publisher.disconnect();
    await rawProducer?.disconnect();
    await deleteBenchTopics(kafka, [topic]);
  }
}

function summarise(
  batchSize: number,
  runs: Record<Side, RunFigures[]>,
  withRaw: boolean,
): PublishBatchFigures {
  const side = (r: RunFigures[]): PublishSideFigures => ({
    eventsPerSec: spread(r.map((f) => f.rate)),
    cpuMicrosPerEvent: spread(
      r.map((f) => f.cpuMicros),
      2,
    ),
  });
  const paired = (troupe: RunFigures[]) => troupe.map((t, i) => t.rate / runs.raw[i]!.rate);
  const sendOnly = withRaw ? paired(runs.troupeSendOnly) : [];
  const withEncode = withRaw ? paired(runs.troupeWithEncode) : [];
  return {
    batchSize,
    raw: withRaw ? side(runs.raw) : null,
    troupeSendOnly: side(runs.troupeSendOnly),
    troupeWithEncode: side(runs.troupeWithEncode),
    sendOnlyRatio: withRaw ? spread(sendOnly, 2) : null,
    withEncodeRatio: withRaw ? spread(withEncode, 2) : null,
    roundSendOnlyRatios: sendOnly.map(round2),
    roundWithEncodeRatios: withEncode.map(round2),
  };
}

/** Events of about `valueBytes` each (Avro wire format), keyed over 1,000 aggregates. */
async function sampleEvents(
  codec: AvroCodec,
  topic: string,
  count: number,
  valueBytes: number,
): Promise<OutgoingEvent[]> {
  // Pad the note until the first event's value is valueBytes long (the length prefix grows too).
  let note = '';
  for (let attempt = 0; attempt < 4; attempt++) {
    const size = (await codec.encode(topic, EVENT, { orderId: 'order-0', seq: 0, note })).length;
    if (size === valueBytes) break;
    note = 'x'.repeat(Math.max(0, note.length + valueBytes - size));
  }
  return Array.from({ length: count }, (_, i) => {
    const key = `order-${i % 1_000}`;
    return { type: EVENT, topic, key, payload: { orderId: key, seq: i, note } };
  });
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
