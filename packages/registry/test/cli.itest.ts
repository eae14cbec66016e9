import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { kafkaConnection, RegistryFixture, uniqueTopic } from './support';

/** The troupe-registry command as the devstack runs it: a child process configured by environment. */
// Starting one takes seconds: tsx compiles the registry and @troupe/kit (all of it) at each start.
jest.setTimeout(30_000);

describe('troupe-registry CLI', () => {
  const packageDir = path.resolve(__dirname, '..');
  const fixture = new RegistryFixture(); // only to delete the topic afterwards
  const children = new Set<ChildProcess>();
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await fixture.cleanUp();
  });

  function run(env: Record<string, string>): ChildProcess {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(packageDir, 'src', 'cli.ts')],
      {
        cwd: packageDir,
        env: {
          PATH: process.env.PATH ?? '',
          // From sources, @troupe/kit included (as the devstack runs it in a checkout).
          TSX_TSCONFIG_PATH: path.join(packageDir, '..', '..', 'tsconfig.json'),
          TROUPE_LOG_LEVEL: 'warn',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.add(child);
    child.on('exit', () => children.delete(child));
    return child;
  }

  function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  }

  function firstLine(child: ChildProcess): Promise<string> {
    return new Promise((resolve, reject) => {
      const lines = createInterface({ input: child.stdout! });
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`exited with ${code} before printing a line`)));
    });
  }

  it.each([
    [{}, 'TROUPE_KAFKA_BROKERS: expected a comma-separated list of host:port'],
    [
      { TROUPE_KAFKA_BROKERS: 'kafka' },
      'TROUPE_KAFKA_BROKERS: expected a comma-separated list of host:port',
    ],
    [
      { TROUPE_KAFKA_BROKERS: '127.0.0.1:9092', TROUPE_REGISTRY_PORT: 'eighty' },
      'TROUPE_REGISTRY_PORT: expected an integer port 0-65535',
    ],
    [
      { TROUPE_KAFKA_BROKERS: '127.0.0.1:9092', TROUPE_REGISTRY_HOST: 'not a host' },
      'TROUPE_REGISTRY_HOST: expected a hostname or IP address',
    ],
  ])('refuses bad configuration %j with one line and a non-zero exit', async (env, message) => {
    const { code, stderr } = await exited(run(env));
    expect(code).toBe(2);
    expect(stderr.trim().split('\n')).toEqual([expect.stringContaining(message)]);
  });

  it('prints its URL once listening, serves, and stops cleanly on SIGTERM', async () => {
    const topic = fixture.track(uniqueTopic('cli'));
    const child = run({
      TROUPE_KAFKA_BROKERS: kafkaConnection().brokers.join(','),
      TROUPE_REGISTRY_PORT: '0',
      TROUPE_REGISTRY_TOPIC: topic,
    });
    const done = exited(child);
    const line = await firstLine(child);
    expect(line).toMatch(/^TROUPE_SCHEMA_REGISTRY_URL=http:\/\/127\.0\.0\.1:\d+$/);
    const url = line.split('=')[1]!;

    const registered = await fetch(`${url}/subjects/cli-value/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema: '"string"' }),
    });
    expect(await registered.json()).toEqual({ id: 1 });

    const stopping = Date.now();
    child.kill('SIGTERM');
    const { code, stderr } = await done;
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(Date.now() - stopping).toBeLessThan(10_000);
  });
});
