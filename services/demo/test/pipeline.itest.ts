import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { runDemo } from '@troupe-services/demo';

/**
 * The four scenarios against the real stack (TROUPE_* from the jest globalSetup), judged from the
 * events on the topics. Services run in this process for speed, except rollback: it runs as a
 * child process so it can really be SIGKILLed (scenario 4) and crash at its worst moment (4b).
 * The demo uses topics, consumer groups, Redis keys and a PostgreSQL schema of its own and
 * removes them at the end.
 */
jest.setTimeout(240_000);

test('healthy release is promoted, failing tests stop a release, spikes are rolled back exactly once even when rollback is killed', async () => {
  const lines: string[] = [];
  const result = await runDemo({
    // A longer observation window than the demo's: on a loaded CI machine detection may be slower, and a
    // spiking canary must be judged before its window ends.
    env: { ...process.env, TROUPE_LOG_LEVEL: 'warn', TROUPE_CANARY_OBSERVATION: '8s' },
    root: path.resolve(__dirname, '..', '..', '..'),
    spikeRuns: 1,
    inProcess: ['releases', 'verifier', 'canary', 'telemetry', 'watchdog', 'notifier'],
    log: (line) => lines.push(line),
    out: (line) => lines.push(line),
  });
  const report = lines.join('\n');
  const byScenario = Object.fromEntries(result.outcomes.map((o) => [o.scenario, o]));

  expect({ ok: result.ok, report }).toMatchObject({ ok: true });
  expect(result.outcomes.map((o) => [o.scenario, o.reached, o.projectedState])).toEqual([
    ['healthy release is promoted', 'Promoted', 'PROMOTED'],
    ['release whose tests fail', 'TestsFailed', 'TESTS_FAILED'],
    ['canary spike #1 is rolled back', 'RolledBack', 'ROLLED_BACK'],
    ['rollback killed (SIGKILL) during the spike', 'RolledBack', 'ROLLED_BACK'],
    ['rollback crashes between router call and publish', 'RolledBack', 'ROLLED_BACK'],
    ['rollback crashes between publish and commit', 'RolledBack', 'ROLLED_BACK'],
  ]);
  for (const scenario of [
    'canary spike #1 is rolled back',
    'rollback killed (SIGKILL) during the spike',
    'rollback crashes between router call and publish',
    'rollback crashes between publish and commit',
  ]) {
    // Counted on the topic and on the router, after the restarted rollback service caught up.
    expect({
      scenario,
      events: byScenario[scenario]?.rolledBackEvents,
      router: byScenario[scenario]?.routerRollbacks,
    }).toEqual({ scenario, events: 1, router: 1 });
  }
  // The crashes really happened where they were meant to: after the router call with nothing
  // published, and after RolledBack was out.
  expect(byScenario['rollback crashes between router call and publish']?.notes.join('\n')).toMatch(
    /killed by SIGKILL between router call and publish: router rollbacks 1, RolledBack events 0/,
  );
  expect(byScenario['rollback crashes between publish and commit']?.notes.join('\n')).toMatch(
    /killed by SIGKILL between publish and commit: router rollbacks 1, RolledBack events 1/,
  );
  // The watchdog dated the spike where the simulator began it (within one 100 ms window).
  const spike = byScenario['canary spike #1 is rolled back']?.recovery;
  expect(spike?.spikeBeganAt).toBeDefined();
  expect(Math.abs((spike?.firstBadSampleAt ?? 0) - (spike?.spikeBeganAt ?? 0))).toBeLessThanOrEqual(
    100,
  );
  expect(result.medianRecoveryMs).toBeLessThan(5_000);
});

test('--keep leaves the topics up and prints a troupe trace command that shows the rolled-back flow', async () => {
  const lines: string[] = [];
  const root = path.resolve(__dirname, '..', '..', '..');
  const result = await runDemo({
    env: { ...process.env, TROUPE_LOG_LEVEL: 'warn', TROUPE_CANARY_OBSERVATION: '8s' },
    root,
    spikeRuns: 1,
    scenarios: {
      healthy: false,
      failingTests: false,
      killDuringSpike: false,
      crashAfterRouter: false,
      crashAfterPublish: false,
    },
    inProcess: ['releases', 'verifier', 'canary', 'telemetry', 'watchdog', 'notifier', 'rollback'],
    keep: true,
    log: (line) => lines.push(line),
    out: (line) => lines.push(line),
  });
  expect({ ok: result.ok, report: lines.join('\n') }).toMatchObject({ ok: true });
  const command = lines
    .map((line) => line.trim())
    .find((line) => line.startsWith('npx troupe trace '));
  expect(command).toBeDefined();
  // The command as printed, run from the project root with the same settings.
  const { stdout } = await promisify(execFile)('sh', ['-c', command!], {
    cwd: root,
    env: process.env,
    timeout: 120_000,
  });
  expect(stdout).toMatch(/ReleaseRequested[\s\S]*CanaryDegraded[\s\S]*RolledBack/);
});
