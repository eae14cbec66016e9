/**
 * `npm run bench`: every benchmark in one run, on one stack (the TROUPE_* settings when set, else
 * the devstack, as the tests choose), one after another so they do not compete for the 2 cores.
 * Each bench measures Troupe against its own baseline in the same run and prints the ratio.
 *
 * Two passes, one per Kafka driver, on the same stack:
 *   1. every bench on the current Node with TROUPE_KAFKA_DRIVER=kafkajs (the default driver);
 *   2. the Kafka benches (consume, publish) with TROUPE_KAFKA_DRIVER=platformatic, each compared
 *      with @platformatic/kafka used directly, on a Node >= 22.22 (what the library runs on): the
 *      current one when it qualifies, else the one `scripts/second-node` prints (cached, or
 *      installed once, as the test suite's second pass finds it). Without one, the pass is skipped
 *      with one line saying so.
 * `npm run bench -- consume publish` runs only the named benches (in both passes where they
 * apply); BENCH_DRIVERS=kafkajs or BENCH_DRIVERS=platformatic runs one pass only. The BENCH_*
 * size settings reach both passes.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { startStack, stopStack } from '@troupe/testkit';

const BENCHES = ['codec', 'consume', 'publish', 'dedup', 'outbox'];
/** The benches whose Troupe side goes through the Kafka driver, run again on the second one. */
const KAFKA_BENCHES = ['consume', 'publish'];
const DRIVERS = ['kafkajs', 'platformatic'];
/** The oldest Node.js @platformatic/kafka 2.x runs on (as packages/kit/src/kafka/load-platformatic.ts). */
const PLATFORMATIC_MIN_NODE: readonly [number, number] = [22, 22];
const ROOT = path.join(__dirname, '..');

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const selected = (names: readonly string[]) =>
    names.filter((b) => only.length === 0 || only.includes(b));
  const drivers = (process.env.BENCH_DRIVERS ?? DRIVERS.join(','))
    .split(',')
    .map((d) => d.trim())
    .filter(Boolean);
  const unknown = drivers.filter((d) => !DRIVERS.includes(d));
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: BENCH_DRIVERS names ${unknown.join(', ')}; known: ${DRIVERS.join(', ')}\n`,
    );
    process.exit(2);
  }
  const stack = await startStack();
  let failed = 0;
  const run = (node: string, name: string, driver: string) => {
    const result = spawnSync(node, ['--import', 'tsx', path.join(__dirname, `${name}.bench.ts`)], {
      stdio: 'inherit',
      env: { ...process.env, ...stack.settings, TROUPE_KAFKA_DRIVER: driver },
    });
    if (result.status !== 0) failed += 1;
  };
  try {
    if (drivers.includes('kafkajs')) {
      for (const name of selected(BENCHES)) {
        process.stdout.write(`\n== ${name} (driver kafkajs, Node ${process.version}) ==\n`);
        run(process.execPath, name, 'kafkajs');
      }
    }
    const kafkaBenches = selected(KAFKA_BENCHES);
    if (drivers.includes('platformatic') && kafkaBenches.length > 0) {
      const node = platformaticNode();
      if ('skipped' in node) {
        process.stdout.write(
          `\n== driver platformatic: skipped (${node.skipped}); kafkajs figures only ==\n`,
        );
      } else {
        for (const name of kafkaBenches) {
          process.stdout.write(`\n== ${name} (driver platformatic, Node ${node.version}) ==\n`);
          run(node.path, name, 'platformatic');
        }
      }
    }
  } finally {
    await stopStack();
  }
  process.exitCode = failed === 0 ? 0 : 1;
}

/** A Node that runs @platformatic/kafka: this one, else scripts/second-node's; or why there is none. */
function platformaticNode(): { path: string; version: string } | { skipped: string } {
  if (runsPlatformatic(process.versions.node))
    return { path: process.execPath, version: process.version };
  // The bin directory comes on stdout; its progress (an install) and its one-line error on
  // stderr, passed on when it succeeds and folded into the one line saying why when it fails.
  const found = spawnSync('bash', [path.join(ROOT, 'scripts', 'second-node')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const bin = found.stdout?.trim();
  if (found.status !== 0 || !bin) {
    const said = found.stderr
      ?.trim()
      .split('\n')
      .pop()
      ?.replace(/^second-node: /, '');
    const why = found.error
      ? `did not run: ${found.error.message}`
      : `exited ${found.status}${said ? `: ${said}` : ''}`;
    return { skipped: `no Node >= ${PLATFORMATIC_MIN_NODE.join('.')}: scripts/second-node ${why}` };
  }
  if (found.stderr) process.stderr.write(found.stderr);
  const node = path.join(bin, 'node');
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (!runsPlatformatic(version.replace(/^v/, '')))
    return { skipped: `${node} is Node ${version || '(did not run)'}, not >= 22.22` };
  return { path: node, version };
}

function runsPlatformatic(version: string): boolean {
  const [major = 0, minor = 0] = version.split('.').map((part) => parseInt(part, 10) || 0);
  const [minMajor, minMinor] = PLATFORMATIC_MIN_NODE;
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

void main();
