/**
 * Dedup benchmark: `npx tsx bench/dedup.bench.ts` with TROUPE_KAFKA_BROKERS,
 * TROUPE_SCHEMA_REGISTRY_URL and TROUPE_REDIS_URL set (source /work/shared/dev-env.sh). Fills a
 * topic with 100k small Avro events, then consumes it with the same Troupe service without and with
 * dedupMiddleware (every event claimed and marked), alternating rounds. Prints both and the ratio,
 * writes bench/results/dedup.json. Target: ratio ≥ 0.8. BENCH_EVENTS / BENCH_ROUNDS override the size.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { measureDedup } from './dedup-measure';

const TARGET_RATIO = 0.8;

async function main(): Promise<void> {
  const {
    TROUPE_KAFKA_BROKERS: brokers,
    TROUPE_SCHEMA_REGISTRY_URL: registryUrl,
    TROUPE_REDIS_URL: redisUrl,
  } = process.env;
  if (!brokers || !registryUrl || !redisUrl) {
    process.stderr.write(
      'dedup bench: set TROUPE_KAFKA_BROKERS, TROUPE_SCHEMA_REGISTRY_URL and TROUPE_REDIS_URL (source /work/shared/dev-env.sh)\n',
    );
    process.exit(2);
  }
  const result = await measureDedup({
    brokers: brokers.split(','),
    registryUrl,
    redisUrl,
    events: Number(process.env.BENCH_EVENTS ?? 100_000),
    rounds: Number(process.env.BENCH_ROUNDS ?? 5),
  });
  const format = (n: number) => n.toLocaleString('en-US');
  process.stdout.write(
    `dedup bench: ${format(result.events)} events, ${result.partitions} partitions, median of ${result.rounds} rounds\n` +
      `  service, no dedup                ${format(result.withoutDedupEventsPerSec)} events/s\n` +
      `  service + dedupMiddleware        ${format(result.withDedupEventsPerSec)} events/s ` +
      `(${result.redisRoundTripsPerBatch} Redis round trips per batch)\n` +
      `  ratio                            ${result.ratio}x (target ≥ ${TARGET_RATIO}x; rounds ${result.roundRatios.join(', ')})\n`,
  );
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'dedup.json'),
    `${JSON.stringify({ ...result, targetRatio: TARGET_RATIO }, null, 2)}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`dedup bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
