/**
 * Dedup benchmark: `npx tsx bench/dedup.bench.ts` with TROUPE_KAFKA_BROKERS,
 * TROUPE_SCHEMA_REGISTRY_URL and TROUPE_REDIS_URL set (source /work/shared/dev-env.sh). Fills a
 * topic with 100k small Avro events, then consumes it with the same Troupe service without and with
 * dedupMiddleware (every event claimed and marked), alternating rounds. Prints both and the ratio,
 * writes bench/results/dedup.json. Target: ratio ≥ 0.8. BENCH_EVENTS / BENCH_ROUNDS override the size.
 * With TROUPE_DATABASE_URL set it also measures a handler with a real effect (one PostgreSQL
 * insert per event, autocommit), on 20k events: what dedup costs a service that does work.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Pool } from 'pg';
import { DedupBenchResult, measureDedup } from './dedup-measure';

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
  report('no-op handler', result, `target ≥ ${TARGET_RATIO}x`);
  const withEffect = process.env.TROUPE_DATABASE_URL
    ? await measureWithPostgresEffect(process.env.TROUPE_DATABASE_URL, {
        brokers: brokers.split(','),
        registryUrl,
        redisUrl,
      })
    : undefined;
  if (withEffect) report('handler inserting one PostgreSQL row', withEffect, 'no target');
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'dedup.json'),
    `${JSON.stringify({ ...result, targetRatio: TARGET_RATIO, withEffect }, null, 2)}\n`,
  );
}

function report(what: string, result: DedupBenchResult, target: string): void {
  const format = (n: number) => n.toLocaleString('en-US');
  process.stdout.write(
    `dedup bench, ${what}: ${format(result.events)} events, ${result.partitions} partitions, median of ${result.rounds} rounds\n` +
      `  service, no dedup                ${format(result.withoutDedupEventsPerSec)} events/s\n` +
      `  service + dedupMiddleware        ${format(result.withDedupEventsPerSec)} events/s ` +
      `(${result.redisRoundTripsPerBatch} Redis round trips per batch)\n` +
      `  ratio                            ${result.ratio}x (${target}; rounds ${result.roundRatios.join(', ')})\n`,
  );
}

/** The same comparison with a handler that writes one row per event, as an effect would. */
async function measureWithPostgresEffect(
  databaseUrl: string,
  connection: { brokers: string[]; registryUrl: string; redisUrl: string },
): Promise<DedupBenchResult> {
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  const table = `dedup_bench_effects_${process.pid}`;
  try {
    await pool.query(`CREATE TABLE ${table} (event_id text NOT NULL)`);
    return await measureDedup({
      ...connection,
      events: 20_000,
      rounds: 3,
      effect: async (eventId) => {
        await pool.query(`INSERT INTO ${table} (event_id) VALUES ($1)`, [eventId]);
      },
    });
  } finally {
    await pool.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await pool.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`dedup bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
