/**
 * Outbox benchmark: `npx tsx bench/outbox.bench.ts` with TROUPE_KAFKA_BROKERS,
 * TROUPE_SCHEMA_REGISTRY_URL and TROUPE_DATABASE_URL set (source /work/shared/dev-env.sh).
 * 1. Relay throughput: 20k messages (~200 B, CloudEvents headers) drained from a fresh outbox table
 *    by one relay vs produced directly by an idempotent kafkajs producer, same batch size, alternating
 *    rounds. Target: relay ≥ 0.5x raw.
 * 2. Latency: single-event business transactions at 200/s, encoded by the publisher's toMessage,
 *    relayed with LISTEN/NOTIFY, handled by a Troupe service: commit → handler p50 / p99.
 * Writes bench/results/outbox.json. BENCH_EVENTS / BENCH_ROUNDS / BENCH_LATENCY_EVENTS override sizes.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { measureOutbox } from './outbox-measure';

const TARGET_RATIO = 0.5;

async function main(): Promise<void> {
  const {
    TROUPE_KAFKA_BROKERS: brokers,
    TROUPE_SCHEMA_REGISTRY_URL: registryUrl,
    TROUPE_DATABASE_URL: databaseUrl,
  } = process.env;
  if (!brokers || !registryUrl || !databaseUrl) {
    process.stderr.write(
      'outbox bench: set TROUPE_KAFKA_BROKERS, TROUPE_SCHEMA_REGISTRY_URL and TROUPE_DATABASE_URL (source /work/shared/dev-env.sh)\n',
    );
    process.exit(2);
  }
  const result = await measureOutbox({
    brokers: brokers.split(','),
    registryUrl,
    databaseUrl,
    events: Number(process.env.BENCH_EVENTS ?? 20_000),
    rounds: Number(process.env.BENCH_ROUNDS ?? 3),
    latencyEvents: Number(process.env.BENCH_LATENCY_EVENTS ?? 1_000),
  });
  const format = (n: number) => n.toLocaleString('en-US');
  process.stdout.write(
    `outbox bench: ${format(result.events)} messages of ${result.messageBytes} B, batches of ${result.batchSize}, median of ${result.rounds} rounds\n` +
      `  raw kafkajs produce (idempotent, acks=all)  ${format(result.rawProduceEventsPerSec)} events/s\n` +
      `  outbox relay (claim → publish → mark sent)  ${format(result.relayEventsPerSec)} events/s\n` +
      `  ratio                                       ${result.ratio}x (target ≥ ${TARGET_RATIO}x; rounds ${result.roundRatios.join(', ')})\n` +
      `  commit → handler latency at ${result.latency.ratePerSec}/s over ${result.latency.events} events: ` +
      `p50 ${result.latency.p50Ms} ms, p99 ${result.latency.p99Ms} ms, max ${result.latency.maxMs} ms\n`,
  );
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'outbox.json'),
    `${JSON.stringify({ ...result, targetRatio: TARGET_RATIO }, null, 2)}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`outbox bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
