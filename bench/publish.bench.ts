/**
 * Publish benchmark: `npx tsx bench/publish.bench.ts` with TROUPE_KAFKA_BROKERS and
 * TROUPE_SCHEMA_REGISTRY_URL set (source /work/shared/dev-env.sh). Sends 20k events of 1 KiB
 * (Avro wire format) with Troupe's 8 CloudEvents headers to a 4-partition topic, in batches of
 * 100 and of 1,000, one batch in flight at a time, three ways, rotating the order every round:
 *   - the raw client of Troupe's driver (TROUPE_KAFKA_DRIVER, kafkajs unless set; for kafkajs an
 *     idempotent producer, acks=-1, maxInFlightRequests 1, sendBatch, as the adapter makes it; for
 *     platformatic an idempotent acks=all @platformatic/kafka Producer.send; see
 *     bench/raw-clients.ts) sending records encoded once up front by Troupe's toMessage;
 *   - Troupe's Publisher.sendEncoded of those same encoded events (Troupe's send path alone);
 *   - Troupe's Publisher.publishMany of the events (envelope + Avro encode + headers + send).
 * Prints events/s and CPU µs per event of each (median and range), and the paired ratios Troupe /
 * raw; writes bench/results/publish.json (publish-<driver>.json for a driver other than
 * kafkajs). Target: send only ≥ 0.85x of raw (incl. encode has none: the raw side does not
 * encode). A driver without a raw baseline gets Troupe's figures alone, saying so. BENCH_EVENTS /
 * BENCH_ROUNDS / BENCH_BATCH_SIZES (comma-separated) / BENCH_VALUE_BYTES override the sizes;
 * BENCH_CPU_PROFILE=<dir> writes a CPU profile of each measured run (bench/profile.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { formatSpread } from './figures';
import { PublishBenchResult, PublishSideFigures, measurePublish } from './publish-measure';
import { missingBaseline, resultsFile } from './raw-clients';

// Issue 9: Troupe keeps at least 0.85x of its own driver's raw client.
const TARGET_RATIO = 0.85;

async function main(): Promise<void> {
  const brokers = process.env.TROUPE_KAFKA_BROKERS;
  const registryUrl = process.env.TROUPE_SCHEMA_REGISTRY_URL;
  if (!brokers || !registryUrl) {
    process.stderr.write(
      'publish bench: set TROUPE_KAFKA_BROKERS and TROUPE_SCHEMA_REGISTRY_URL (source /work/shared/dev-env.sh)\n',
    );
    process.exit(2);
  }
  const result = await measurePublish({
    brokers: brokers.split(','),
    registryUrl,
    events: Number(process.env.BENCH_EVENTS ?? 20_000),
    rounds: Number(process.env.BENCH_ROUNDS ?? 5),
    batchSizes: (process.env.BENCH_BATCH_SIZES ?? '100,1000').split(',').map(Number),
    valueBytes: Number(process.env.BENCH_VALUE_BYTES ?? 1_024),
  });
  process.stdout.write(report(result));
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, resultsFile('publish', result.driver)),
    `${JSON.stringify({ ...result, targetRatio: TARGET_RATIO }, null, 2)}\n`,
  );
}

function report(r: PublishBenchResult): string {
  const format = (n: number) => n.toLocaleString('en-US');
  const side = (label: string, f: PublishSideFigures) =>
    `  ${label.padEnd(34)} ${formatSpread(f.eventsPerSec)} events/s, CPU ${formatSpread(f.cpuMicrosPerEvent, '', 2)} µs/event`;
  const lines = [
    `publish bench, driver ${r.driver}: ${format(r.events)} events of ${r.messageBytes} B + ${r.headersPerEvent} CloudEvents headers, ` +
      `${r.partitions} partitions, one batch in flight; median (range) of ${r.rounds} rounds`,
    r.rawBaseline === null
      ? `  ${missingBaseline(r.driver)}`
      : `  raw client of driver ${r.driver}: ${r.rawBaseline}`,
  ];
  for (const b of r.batches) {
    lines.push(` batches of ${format(b.batchSize)}:`);
    if (b.raw) lines.push(side(`raw ${r.driver} (pre-encoded)`, b.raw));
    lines.push(side('Troupe sendEncoded (send only)', b.troupeSendOnly));
    lines.push(side('Troupe publishMany (incl. encode)', b.troupeWithEncode));
    if (b.sendOnlyRatio && b.withEncodeRatio) {
      lines.push(
        `  ratio send only / raw              ${formatSpread(b.sendOnlyRatio, 'x', 2)} (target ≥ ${TARGET_RATIO}x; rounds ${b.roundSendOnlyRatios.join(', ')})`,
        `  ratio incl. encode / raw           ${formatSpread(b.withEncodeRatio, 'x', 2)} (no target: raw does not encode; rounds ${b.roundWithEncodeRatios.join(', ')})`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`publish bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
