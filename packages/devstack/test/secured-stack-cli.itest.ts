/**
 * `npm run stack:up -- --secure` end to end: Kafka's only client listener is SASL_SSL, the
 * registry stores its schemas over it, and the printed settings are all the `troupe` CLI needs
 * for topics and schemas; the password is a file, never printed by anything here.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  createFailFastRedis,
  loadDatabaseConnection,
  loadRedisConnection,
  probeDatabase,
  probeRedis,
} from '@troupe/kit';
import { stackCli } from './support/stack-cli';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const TROUPE = path.join(ROOT, 'packages', 'cli', 'bin', 'troupe.js');

/** What a shell gets from `eval "$(npm run -s stack:up -- --secure)"`: the TROUPE_* it exports. */
function evalInShell(stdout: string): Record<string, string> {
  const shown = execFileSync('bash', ['-c', 'eval "$STACK_UP_OUTPUT"; env -0'], {
    env: { PATH: process.env.PATH ?? '', STACK_UP_OUTPUT: stdout },
  }).toString();
  return Object.fromEntries(
    shown
      .split('\0')
      .filter((entry) => entry.startsWith('TROUPE_'))
      .map((entry) => entry.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

/** `troupe …` from the checkout's root (its schemas/), with only the printed settings and the driver. */
async function troupe(args: string[], settings: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(process.execPath, [TROUPE, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...(process.env.TROUPE_KAFKA_DRIVER
          ? { TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER }
          : {}),
        ...settings,
      },
      timeout: 60_000,
    });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: `${failed.stdout}${failed.stderr}` };
  }
}

describe('npm run stack:up -- --secure', () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'troupe-state-'));
  const env = { ...process.env, TROUPE_STATE_DIR: stateDir };
  afterAll(async () => {
    await stackCli('down', env);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('refuses an unknown option in one line, before starting anything', async () => {
    const result = await stackCli('up', env, ['--secured']);
    expect(result.code).toBe(2);
    expect(result.stderr.trimEnd().split('\n')).toEqual([
      'troupe-stack: up does not accept --secured (accepted: --secure)',
    ]);
    expect(result.stdout).toBe('');
  });

  it('starts a stack whose Kafka is SASL_SSL only, which topics and schemas commands reach with the printed settings', async () => {
    const up = await stackCli('up', env, ['--secure']);
    expect(up.stderr).toContain('stack up in');
    expect(up.code).toBe(0);
    for (const line of up.stdout.trim().split('\n'))
      expect(line).toMatch(/^export TROUPE_[A-Z_]+='[^']*'$/);
    const settings = evalInShell(up.stdout);
    expect(Object.keys(settings).sort()).toEqual([
      'TROUPE_DATABASE_PASSWORD_FILE',
      'TROUPE_DATABASE_SSL_CA_FILE',
      'TROUPE_DATABASE_URL',
      'TROUPE_KAFKA_BROKERS',
      'TROUPE_KAFKA_SASL_MECHANISM',
      'TROUPE_KAFKA_SASL_PASSWORD_FILE',
      'TROUPE_KAFKA_SASL_USERNAME',
      'TROUPE_KAFKA_SSL_CA_FILE',
      'TROUPE_REDIS_PASSWORD_FILE',
      'TROUPE_REDIS_TLS_CA_FILE',
      'TROUPE_REDIS_URL',
      'TROUPE_SCHEMA_REGISTRY_URL',
    ]);
    expect(settings.TROUPE_KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    const password = readFileSync(settings.TROUPE_KAFKA_SASL_PASSWORD_FILE!, 'utf8');
    expect(password.length).toBeGreaterThan(8);
    // Redis and PostgreSQL: URLs without a password, which is a 0600 file in the stack's directory.
    expect(settings.TROUPE_REDIS_URL).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
    expect(settings.TROUPE_DATABASE_URL).toMatch(
      /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/,
    );
    const { dir } = JSON.parse(readFileSync(path.join(stateDir, 'current-stack.json'), 'utf8')) as {
      dir: string;
    };
    const storePasswords = [
      settings.TROUPE_REDIS_PASSWORD_FILE!,
      settings.TROUPE_DATABASE_PASSWORD_FILE!,
    ].map((file) => {
      expect(file.startsWith(`${dir}/`)).toBe(true);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      return readFileSync(file, 'utf8');
    });
    // Reachable with the printed settings, read as services read them; not without TLS.
    const timeoutMs = 5_000;
    const redisConnection = loadRedisConnection(settings)!;
    const redis = createFailFastRedis(redisConnection, { lazyConnect: true });
    try {
      await probeRedis(redis, redisConnection, timeoutMs);
    } finally {
      redis.disconnect();
    }
    await probeDatabase(loadDatabaseConnection(settings), timeoutMs);
    await expect(
      probeDatabase(
        loadDatabaseConnection({ TROUPE_DATABASE_URL: settings.TROUPE_DATABASE_URL }),
        timeoutMs,
      ),
    ).rejects.toThrow('the server accepts only TLS');
    const printed = [up.stdout, up.stderr];

    // Without the SASL and TLS settings the broker is not reachable: there is no plaintext listener.
    const plain = await troupe(['topics', 'plan', '--timeout', '3000'], {
      TROUPE_KAFKA_BROKERS: settings.TROUPE_KAFKA_BROKERS!,
      TROUPE_CONNECT_TIMEOUT: '3s',
    });
    expect(plain.code).not.toBe(0);

    for (const args of [
      ['topics', 'apply'],
      ['topics', 'plan'],
      ['schemas', 'register'],
      ['schemas', 'check'],
    ]) {
      const result = await troupe(args, settings);
      printed.push(result.output);
      if (result.code !== 0) throw new Error(`troupe ${args.join(' ')}: ${result.output}`);
    }
    expect(printed.at(-3)).toMatch(/nothing to change|up to date|no change/i);

    const again = await stackCli('up', env, ['--secure']);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('reusing');
    expect(evalInShell(again.stdout)).toEqual(settings);
    const plainUp = await stackCli('up', env);
    expect(plainUp.code).toBe(1);
    expect(plainUp.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(plainUp.stderr).toContain('a secured stack is running');

    const status = await stackCli('status', env);
    expect(status.code).toBe(0);
    expect(evalInShell(status.stdout)).toEqual(settings);
    expect(status.stderr.match(/running/g)).toHaveLength(4);
    printed.push(again.stdout, again.stderr, plainUp.stderr, status.stdout, status.stderr);
    for (const output of printed)
      for (const secret of [password, ...storePasswords]) expect(output).not.toContain(secret);

    const down = await stackCli('down', env);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('removed');
    expect((await stackCli('status', env)).code).toBe(3);
  }, 150_000);
});
