/**
 * Consume benchmark: `npx tsx bench/consume.bench.ts` with TROUPE_KAFKA_BROKERS and
 * TROUPE_SCHEMA_REGISTRY_URL set (source /work/shared/dev-env.sh). Fills a topic with 100k small
 * Avro events, then reads it with raw kafkajs eachBatch and with a Troupe service (decode +
 * middleware + no-op handler + commit), alternating rounds. Prints both and the ratio, writes
 * bench/results/consume.json. Target: ratio ≥ 0.7. BENCH_EVENTS / BENCH_ROUNDS override the size.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { measureConsume } from './consume-measure';

const TARGET_RATIO = 0.7;

async function main(): Promise<void> {
  const brokers = process.env.TROUPE_KAFKA_BROKERS;
  const registryUrl = process.env.TROUPE_SCHEMA_REGISTRY_URL;
  if (!brokers || !registryUrl) {
    process.stderr.write(
      'consume bench: set TROUPE_KAFKA_BROKERS and TROUPE_SCHEMA_REGISTRY_URL (source /work/shared/dev-env.sh)\n',
    );
    process.exit(2);
  }
  const result = await measureConsume({
    brokers: brokers.split(','),
    registryUrl,
    events: Number(process.env.BENCH_EVENTS ?? 100_000),
    rounds: Number(process.env.BENCH_ROUNDS ?? 5),
  });
  const format = (n: number) => n.toLocaleString('en-US');
  process.stdout.write(
    `consume bench: ${format(result.events)} events of ${result.messageBytes} bytes, ${result.partitions} partitions, ` +
      `${result.partitionsConsumedConcurrently} consumed concurrently, median of ${result.rounds} rounds\n` +
      `  raw kafkajs eachBatch (resolve + commit)          ${format(result.rawEventsPerSec)} events/s\n` +
      `  Troupe service (decode + middleware + no-op + commit) ${format(result.serviceEventsPerSec)} events/s\n` +
      `  ratio                                             ${result.ratio}x (target ≥ ${TARGET_RATIO}x; rounds ${result.roundRatios.join(', ')})\n` +
      `  CPU per event: raw ${result.rawCpuMicrosPerEvent} µs, service ${result.serviceCpuMicrosPerEvent} µs, ratio ${result.cpuRatio}x\n`,
  );
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'consume.json'),
    `${JSON.stringify({ ...result, targetRatio: TARGET_RATIO }, null, 2)}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`consume bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
