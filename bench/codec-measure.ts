import * as path from 'node:path';
// Relative imports, not @troupe/kit: `npx tsx bench/codec.bench.ts` then runs the sources
// without a build (the package entry points at dist/).
import * as avro from 'avsc';
import { AvroCodec } from '../packages/kit/src/codec/avro-codec';
import { loadSchemaCatalog } from '../packages/kit/src/schemas/catalog';

export const BENCH_EVENT = 'troupe.alerts.AlertRaised';

export interface CodecBenchResult {
  event: string;
  /** Wire-format message size (5-byte header included). */
  messageBytes: number;
  /** avsc as shipped: its shared 1 KiB scratch buffer makes toBuffer write a >1 KiB value twice. */
  avscDefaultOpsPerSec: number;
  /** avsc with a 64 KiB scratch buffer (Type.__reset), the same size the codec uses: the baseline. */
  avscOpsPerSec: number;
  codecOpsPerSec: number;
  /** Baseline (tuned avsc) ops/s divided by codec ops/s: how many times slower the codec is. */
  ratio: number;
  rounds: number;
  roundMs: number;
  node: string;
  measuredAt: string;
}

/** An AlertRaised of about 1 KB: a realistic alert with a few dozen details. */
export function sampleAlert(): Record<string, unknown> {
  const details: Record<string, string> = {};
  for (let i = 0; i < 24; i++) details[`metric_${i}`] = `value ${i} ${'x'.repeat(20)}`;
  return {
    alertId: '6f1c2e0a-8d1b-4a57-9f0e-2b7f2d1c9a11',
    releaseId: 'rel-2026-05-01-checkout-2.4.0',
    service: 'checkout',
    severity: 'CRITICAL',
    summary: 'checkout 2.4.0 canary error rate 4.1% vs 0.3% baseline (z=9.7); rolled back to 2.3.9',
    details,
    raisedAt: new Date('2026-05-01T08:00:00.000Z'),
  };
}

/**
 * Encode+decode round trips per second on one core: the codec (ids cached after a warm-up
 * that talks to the registry) against avsc's toBuffer/fromBuffer of the same type, in
 * alternating rounds so both see the same machine state. Medians of the rounds.
 */
export async function measureCodec(options: {
  registryUrl: string;
  schemasDir: string;
  rounds?: number;
  roundMs?: number;
}): Promise<CodecBenchResult> {
  const rounds = options.rounds ?? 7;
  const roundMs = options.roundMs ?? 1000;
  const catalog = await loadSchemaCatalog(options.schemasDir);
  const type = catalog.get(BENCH_EVENT)!.type;
  const codec = new AvroCodec({ registry: options.registryUrl, catalog });
  const topic = `bench-codec-${process.pid}-${Date.now().toString(36)}`;
  const payload = sampleAlert();

  // Warm-up: registers the schema, caches the id and the writer schema, lets the JIT settle.
  const message = await codec.encode(topic, BENCH_EVENT, payload);
  const decoded = await codec.decode(topic, BENCH_EVENT, message);
  if (JSON.stringify(decoded.payload) !== JSON.stringify(type.fromBuffer(type.toBuffer(payload)))) {
    throw new Error('codec and avsc disagree on the sample payload');
  }
  await runCodec(codec, topic, payload, roundMs / 2);
  resetAvscScratch(SCRATCH);
  runAvsc(type, payload, roundMs / 2);

  const avscDefault: number[] = [];
  const avsc: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < rounds; round++) {
    resetAvscScratch(AVSC_DEFAULT_SCRATCH);
    avscDefault.push(runAvsc(type, payload, roundMs));
    resetAvscScratch(SCRATCH);
    avsc.push(runAvsc(type, payload, roundMs));
    ours.push(await runCodec(codec, topic, payload, roundMs));
  }
  resetAvscScratch(AVSC_DEFAULT_SCRATCH);
  const avscOpsPerSec = median(avsc);
  const codecOpsPerSec = median(ours);
  return {
    event: BENCH_EVENT,
    messageBytes: message.length,
    avscDefaultOpsPerSec: Math.round(median(avscDefault)),
    avscOpsPerSec: Math.round(avscOpsPerSec),
    codecOpsPerSec: Math.round(codecOpsPerSec),
    ratio: Number((avscOpsPerSec / codecOpsPerSec).toFixed(3)),
    rounds,
    roundMs,
    node: process.version,
    measuredAt: new Date().toISOString(),
  };
}

const AVSC_DEFAULT_SCRATCH = 1024;
const SCRATCH = 64 * 1024;

/** avsc's toBuffer writes into one shared scratch buffer; `Type.__reset` resizes it (untyped). */
function resetAvscScratch(size: number): void {
  (avro.Type as unknown as { __reset(size: number): void }).__reset(size);
}

// Batches of 256 between clock reads keep timing overhead out of the figure.
const BATCH = 256;

function runAvsc(
  type: { toBuffer(v: unknown): Buffer; fromBuffer(b: Buffer): unknown },
  payload: unknown,
  ms: number,
): number {
  let ops = 0;
  let sink = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    for (let i = 0; i < BATCH; i++) {
      const value = type.fromBuffer(type.toBuffer(payload)) as { alertId: string };
      sink += value.alertId.length;
    }
    ops += BATCH;
    now = performance.now();
  }
  if (sink === 0) throw new Error('unreachable');
  return (ops * 1000) / (now - start);
}

async function runCodec(
  codec: AvroCodec,
  topic: string,
  payload: unknown,
  ms: number,
): Promise<number> {
  let ops = 0;
  let sink = 0;
  const start = performance.now();
  const end = start + ms;
  let now = start;
  while (now < end) {
    for (let i = 0; i < BATCH; i++) {
      const bytes = await codec.encode(topic, BENCH_EVENT, payload);
      const event = await codec.decode(topic, BENCH_EVENT, bytes);
      sink += (event.payload as { alertId: string }).alertId.length;
    }
    ops += BATCH;
    now = performance.now();
  }
  if (sink === 0) throw new Error('unreachable');
  return (ops * 1000) / (now - start);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export const SCHEMAS_DIR = path.resolve(__dirname, '../schemas');
