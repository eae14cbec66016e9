/**
 * Codec benchmark: `npx tsx bench/codec.bench.ts` with TROUPE_SCHEMA_REGISTRY_URL set.
 * The registry is only needed for the warm-up (registering the schema and caching its id);
 * the measured loop is the cached path. Prints both figures and the ratio, and writes
 * bench/results/codec.json. Target: ratio ≤ 1.5.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SCHEMAS_DIR, measureCodec } from './codec-measure';

const TARGET_RATIO = 1.5;

async function main(): Promise<void> {
  const registryUrl = process.env.TROUPE_SCHEMA_REGISTRY_URL;
  if (!registryUrl) {
    process.stderr.write(
      'codec bench: TROUPE_SCHEMA_REGISTRY_URL is not set (expected the schema registry URL)\n',
    );
    process.exit(2);
  }
  const result = await measureCodec({ registryUrl, schemasDir: SCHEMAS_DIR });
  const format = (n: number) => n.toLocaleString('en-US');
  process.stdout.write(
    `codec bench: ${result.event}, ${result.messageBytes}-byte message, encode+decode, one core, median of ${result.rounds} rounds\n` +
      `  avsc toBuffer+fromBuffer  ${format(result.avscOpsPerSec)} ops/s (64 KiB scratch, the baseline)\n` +
      `  avsc, 1 KiB scratch       ${format(result.avscDefaultOpsPerSec)} ops/s (as shipped: writes >1 KiB values twice)\n` +
      `  AvroCodec encode+decode   ${format(result.codecOpsPerSec)} ops/s\n` +
      `  ratio                     ${result.ratio}x (target ≤ ${TARGET_RATIO}x)\n`,
  );
  const dir = path.join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'codec.json'),
    `${JSON.stringify({ ...result, targetRatio: TARGET_RATIO }, null, 2)}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`codec bench: ${(error as Error).message}\n`);
  process.exit(1);
});
