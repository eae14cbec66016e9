/**
 * Consume benchmark: `npx tsx bench/consume.bench.ts` with TROUPE_KAFKA_BROKERS and
 * TROUPE_SCHEMA_REGISTRY_URL set (source /work/shared/dev-env.sh). Fills a topic with 100k small
 * Avro events (8 CloudEvents headers each, published by Troupe), then reads it with the raw client
 * of Troupe's driver (TROUPE_KAFKA_DRIVER, kafkajs unless set; kafkajs: eachBatch, resolve +
 * commit, no decode; platformatic: @platformatic/kafka's messages stream, autocommit, no decode;
 * see bench/raw-clients.ts) and with a Troupe service on that driver (decode + middleware + no-op
 * handler + commit), alternating rounds. Prints both, the ratio and CPU per event, writes
 * bench/results/consume.json (consume-<driver>.json for a driver other than kafkajs). Target:
 * ratio ≥ 0.85. A driver without a raw baseline gets Troupe's figures alone, saying so.
 * BENCH_EVENTS / BENCH_ROUNDS override the size; BENCH_CPU_PROFILE=<dir>
 * writes a CPU profile of each measured run (bench/profile.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConsumeBenchResult, measureConsume } from './consume-measure';
import { formatSpread } from './figures';
import { missingBaseline, resultsFile } from './raw-clients';

// Issue 9: Troupe keeps at least 0.85x of its own driver's raw client.
const TARGET_RATIO = 0.85;

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
  process.stdout.write(report(result));
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, resultsFile('consume', result.driver)),
    `${JSON.stringify({ ...result, targetRatio: TARGET_RATIO }, null, 2)}\n`,
  );
}

function report(r: ConsumeBenchResult): string {
  const format = (n: number) => n.toLocaleString('en-US');
  const lines = [
    `consume bench, driver ${r.driver}: ${format(r.events)} events of ${r.messageBytes} B + ${r.headersPerEvent} CloudEvents headers, ` +
      `${r.partitions} partitions, ${r.partitionsConsumedConcurrently} consumed concurrently; median (range) of ${r.rounds} rounds`,
  ];
  if (r.rawBaseline === null || !r.rawEventsPerSec || !r.ratio || !r.rawCpuMicrosPerEvent) {
    lines.push(`  ${missingBaseline(r.driver)}`);
  } else {
    lines.push(`  raw client of driver ${r.driver}: ${r.rawBaseline}`);
    lines.push(
      `    ${formatSpread(r.rawEventsPerSec)} events/s, CPU ${formatSpread(r.rawCpuMicrosPerEvent, '', 2)} µs/event`,
    );
  }
  lines.push(
    `  Troupe service on ${r.driver} (decode + middleware + no-op handler + commit per batch)`,
  );
  lines.push(
    `    ${formatSpread(r.serviceEventsPerSec)} events/s, CPU ${formatSpread(r.serviceCpuMicrosPerEvent, '', 2)} µs/event`,
  );
  if (r.ratio) {
    lines.push(
      `  ratio Troupe / raw client: ${formatSpread(r.ratio, 'x', 2)} (target ≥ ${TARGET_RATIO}x; rounds ${r.roundRatios.join(', ')})`,
    );
    lines.push(`  CPU ratio raw / Troupe: ${r.cpuRatio}x`);
  }
  return `${lines.join('\n')}\n`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`consume bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
