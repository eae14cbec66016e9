/**
 * `npm run bench`: every benchmark in one run, on one stack (the TROUPE_* settings when set, else
 * the devstack, as the tests choose), one after another so they do not compete for the 2 cores.
 * Each bench measures Troupe against its own baseline in the same run and prints the ratio.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startStack, stopStack } from '@troupe/testkit';

const BENCHES = ['codec', 'consume', 'publish', 'dedup', 'outbox'];

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const stack = await startStack();
  let failed = 0;
  try {
    for (const name of BENCHES.filter((b) => only.length === 0 || only.includes(b))) {
      process.stdout.write(`\n== ${name} ==\n`);
      const result = spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, `${name}.bench.ts`)],
        { stdio: 'inherit', env: { ...process.env, ...stack.settings } },
      );
      if (result.status !== 0) failed += 1;
    }
  } finally {
    await stopStack();
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

void main();
