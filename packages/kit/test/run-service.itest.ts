/**
 * runService as a user's main() runs it (README's example as a process): every way a start can
 * fail is one line on stderr naming the setting and exit code 1, never a stack trace; a good
 * start handles what is published once it is up, and SIGTERM ends it with 0.
 */
import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { closedPort } from '@troupe/testkit';
import { createTopics, publishCounted, uniqueName } from './support/runtime-support';

jest.setTimeout(90_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'readme-service.ts');
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderrLines: string[];
}

function launch(env: Record<string, string | undefined>): {
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<Outcome>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
      TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER,
      TROUPE_HTTP_PORT: '0',
      TROUPE_HTTP_HOST: '127.0.0.1',
      TROUPE_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Outcome>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderrLines: stderr.trimEnd().split('\n').filter(Boolean) });
    }),
  );
  return { child, stdout: () => stdout, exited };
}

const stack = () => ({
  TROUPE_KAFKA_BROKERS: process.env.TROUPE_KAFKA_BROKERS,
  TROUPE_SCHEMA_REGISTRY_URL: process.env.TROUPE_SCHEMA_REGISTRY_URL,
  TROUPE_REDIS_URL: process.env.TROUPE_REDIS_URL,
});

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('runService fails in one line', () => {
  let topic: string;
  beforeAll(async () => {
    topic = uniqueName('readme');
    await createTopics([{ topic, partitions: 2 }]);
  });

  it('names an unset TROUPE_KAFKA_BROKERS and its expected form', async () => {
    const { exited } = launch({ ...stack(), TROUPE_KAFKA_BROKERS: undefined, TEST_TOPIC: topic });
    const outcome = await exited;
    expect(outcome.code).toBe(1);
    expect(outcome.stderrLines).toEqual([
      'readme-service: TROUPE_KAFKA_BROKERS: expected a comma-separated list of host:port, e.g. kafka-1:9092,kafka-2:9092 (it is not set)',
    ]);
  });

  it('names an unset TROUPE_SCHEMA_REGISTRY_URL when the kit builds the codec', async () => {
    const { exited } = launch({ ...stack(), TROUPE_SCHEMA_REGISTRY_URL: undefined });
    const outcome = await exited;
    expect(outcome.code).toBe(1);
    expect(outcome.stderrLines).toEqual([
      'readme-service: TROUPE_SCHEMA_REGISTRY_URL: expected an http(s) URL, e.g. http://registry:8081 (it is not set; the Avro codec needs the registry)',
    ]);
  });

  it('names an unset TROUPE_REDIS_URL when the definition declares dedup', async () => {
    const { exited } = launch({ ...stack(), TROUPE_REDIS_URL: undefined, TEST_DEDUP: '1' });
    const outcome = await exited;
    expect(outcome.code).toBe(1);
    expect(outcome.stderrLines).toHaveLength(1);
    expect(outcome.stderrLines[0]).toMatch(
      /^readme-service: TROUPE_REDIS_URL: expected a redis:\/\/ URL \(it is not set; service "readme-service" declares dedup/,
    );
  });

  it('names the unreachable broker, its setting and the timeout, quietly', async () => {
    const port = await closedPort();
    const { exited } = launch({
      ...stack(),
      TROUPE_KAFKA_BROKERS: `127.0.0.1:${port}`,
      TROUPE_CONNECT_TIMEOUT: '2s',
      TEST_TOPIC: topic,
    });
    const outcome = await exited;
    expect(outcome.code).toBe(1);
    expect(outcome.stderrLines).toHaveLength(1);
    expect(outcome.stderrLines[0]).toMatch(
      new RegExp(
        `^readme-service: cannot reach Kafka at 127\\.0\\.0\\.1:${port} \\(TROUPE_KAFKA_BROKERS\\) within 2s: .*(refused|ECONNREFUSED)`,
        'i',
      ),
    );
    // The driver's own retries and their log lines never start.
    expect(outcome.stdout).toBe('');
  });

  it('names the unreachable registry and its setting', async () => {
    const port = await closedPort();
    const { exited } = launch({
      ...stack(),
      TROUPE_SCHEMA_REGISTRY_URL: `http://127.0.0.1:${port}`,
      TROUPE_CONNECT_TIMEOUT: '2s',
      TEST_TOPIC: topic,
    });
    const outcome = await exited;
    expect(outcome.code).toBe(1);
    expect(outcome.stderrLines).toEqual([
      `readme-service: cannot reach the schema registry at http://127.0.0.1:${port} (TROUPE_SCHEMA_REGISTRY_URL) within 2s: connection refused`,
    ]);
  });

  it('names a missing topic and how to create it', async () => {
    const missing = uniqueName('missing');
    const { exited } = launch({ ...stack(), TEST_TOPIC: missing });
    const outcome = await exited;
    expect(outcome.code).toBe(1);
    expect(outcome.stderrLines).toEqual([
      `readme-service: topic ${missing} does not exist: the service subscribes to it; create it first (npx troupe topics apply creates what schemas/topics.json declares)`,
    ]);
  });
});

describe('runService running', () => {
  it('handles what is published once it is up (a new group starts at the end) and exits 0 on SIGTERM', async () => {
    const topic = uniqueName('readme');
    await createTopics([{ topic, partitions: 2 }]);
    await publishCounted(topic, 'before', 0); // before the group ever started: skipped
    const { child, stdout, exited } = launch({ ...stack(), TEST_TOPIC: topic });
    await until(() => stdout().includes('"msg":"service started"'), 'the service to start');
    for (let seq = 1; seq <= 3; seq++) await publishCounted(topic, `k${seq}`, seq);
    const handled = () =>
      stdout()
        .split('\n')
        .filter((line) => line.startsWith('{"handled"'))
        .map((line) => (JSON.parse(line) as { handled: number }).handled);
    await until(() => handled().length >= 3, 'three events handled');
    child.kill('SIGTERM');
    const outcome = await exited;
    expect(outcome.code).toBe(0);
    expect(handled().sort()).toEqual([1, 2, 3]);
    expect(outcome.stderrLines).toEqual([]);
  });
});
