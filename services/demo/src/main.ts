import path from 'node:path';
import { oneLineMessage } from '@troupe/kit';
import { CleanupStack } from './cleanup';
import { runDemo } from './demo';
import { DEMO } from './settings';

/**
 * `npm run demo`: the self-healing deployment pipeline, end to end.
 * Options: `--spikes <n>` (default 5), `--keep-logs`, `--keep` (leave the stack and the topics up
 * and print the `troupe trace` command of a rolled-back flow), `--secure` (the secured local
 * stack: TLS and authentication to every server), `--verbose` (a failure's stack).
 */
async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const spikesAt = args.indexOf('--spikes');
  const spikeRuns = spikesAt >= 0 ? Number(args[spikesAt + 1]) : 5;
  if (!Number.isInteger(spikeRuns) || spikeRuns < 1 || spikeRuns > 50) {
    process.stderr.write(
      `--spikes: expected an integer 1-50, found ${JSON.stringify(args[spikesAt + 1])}\n`,
    );
    return 2;
  }
  const cleanup = new CleanupStack();
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping everything the demo started…\n`);
    void cleanup.release().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s]`;
  const result = await runDemo({
    env: process.env,
    root: path.resolve(__dirname, '..', '..', '..'),
    spikeRuns,
    keepLogs: args.includes('--keep-logs') || process.env[DEMO.keepLogs.name] === '1',
    keep: args.includes('--keep'),
    secure: args.includes('--secure'),
    cleanup,
    log: (line) => process.stdout.write(`${stamp()} ${line}\n`),
    out: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `\ndemo finished in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.ok ? 'every scenario reached its expected end' : 'some scenario did not reach its expected end'}\n`,
  );
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    // A missing prerequisite or a bad setting is one line that says what to do; the stack helps
    // only with a bug (--verbose).
    const detail = process.argv.includes('--verbose')
      ? ((error as Error).stack ?? String(error))
      : oneLineMessage(error);
    process.stderr.write(`demo failed: ${detail}\n`);
    process.exit(1);
  },
);
