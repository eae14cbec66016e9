import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type LocalStack, startLocalStack, stopLocalStack } from '@troupe/devstack';
import { runDemo } from '@troupe-services/demo';

/**
 * The pipeline on a secured cluster, named by its TROUPE_* settings as a user names theirs (the
 * devstack's secured stack, as `npm run stack:up -- --secure` prints it): Kafka over SASL_SSL
 * with SCRAM, the registry over HTTPS with basic authentication, Redis and PostgreSQL over TLS
 * with passwords, every password a file. A healthy release is promoted and a spiking canary is
 * rolled back exactly once, rollback running as a child process; no password appears in
 * anything the demo printed.
 */
jest.setTimeout(240_000);

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack({ secure: true });
}, 120_000);
afterAll(async () => {
  if (stack) await stopLocalStack(stack);
});

test('a release is promoted and a spike rolled back once, every server secured', async () => {
  const lines: string[] = [];
  const result = await runDemo({
    env: {
      ...process.env,
      ...stack.settings,
      TROUPE_LOG_LEVEL: 'warn',
      TROUPE_CANARY_OBSERVATION: '8s',
    },
    root: path.resolve(__dirname, '..', '..', '..'),
    spikeRuns: 1,
    scenarios: {
      healthy: true,
      failingTests: false,
      spikes: true,
      killDuringSpike: false,
      crashAfterRouter: false,
      crashAfterPublish: false,
    },
    inProcess: ['releases', 'verifier', 'canary', 'telemetry', 'watchdog', 'notifier'],
    log: (line) => lines.push(line),
    out: (line) => lines.push(line),
  });
  const report = lines.join('\n');
  expect({ ok: result.ok, report }).toMatchObject({ ok: true });
  expect(result.outcomes.map((o) => [o.scenario, o.reached, o.projectedState])).toEqual([
    ['healthy release is promoted', 'Promoted', 'PROMOTED'],
    ['canary spike #1 is rolled back', 'RolledBack', 'ROLLED_BACK'],
  ]);
  expect(result.outcomes[1]).toMatchObject({ rolledBackEvents: 1, routerRollbacks: 1 });
  const passwordFiles = Object.entries(stack.settings)
    .filter(([name]) => name.endsWith('_PASSWORD_FILE'))
    .map(([, file]) => file as string);
  // Kafka, the registry, Redis and PostgreSQL each have one.
  expect(passwordFiles).toHaveLength(4);
  for (const file of passwordFiles) expect(report).not.toContain(readFileSync(file, 'utf8'));
});
