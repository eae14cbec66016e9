import { spawn } from 'node:child_process';
import * as path from 'node:path';

/**
 * The `troupe` command as a user runs it, in its own process: against a broker nobody listens
 * on, every Kafka command exits 1 with exactly one line on stderr, quickly, and no stack trace.
 */
const REPO = path.resolve(__dirname, '../../..');

function troupe(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  const child = spawn(
    path.join(REPO, 'node_modules/.bin/tsx'),
    [path.join(REPO, 'packages/cli/src/cli.ts'), ...args],
    {
      cwd: REPO,
      // Workspace packages from their sources, as in jest.
      env: {
        PATH: process.env.PATH ?? '',
        TSX_TSCONFIG_PATH: path.join(REPO, 'tsconfig.test.json'),
        TROUPE_KAFKA_BROKERS: '127.0.0.1:1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`troupe ${args.join(' ')} still running after 30 s`));
    }, 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const UNREACHABLE =
  'troupe: cannot reach Kafka at 127.0.0.1:1 (Connection error: connect ECONNREFUSED 127.0.0.1:1); check --brokers or TROUPE_KAFKA_BROKERS\n';

describe('troupe as a process, broker unreachable', () => {
  it.each([
    [['topics', 'list']],
    [['topics', 'plan', 'schemas/topics.json']],
    [['dlq', 'redrive', 'releases.events.dlq', '--dry-run']],
    [['trace', 'some-flow', '--topics', 'releases.events', '--since', '1h']],
  ])('troupe %j exits 1 with one line', async (args) => {
    const result = await troupe(args);
    expect(result.stderr).toBe(UNREACHABLE);
    expect(result.stdout).toBe('');
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(15_000);
  });

  it('--verbose adds the stack and the kafkajs cause', async () => {
    const result = await troupe(['topics', 'list', '--verbose']);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(UNREACHABLE.trimEnd());
    expect(lines.slice(1).join('\n')).toMatch(/caused by: KafkaJS\w+Error/);
  });
});
