/**
 * `npm run stack:up -- --secure` end to end: Kafka's only client listener is SASL_SSL, the
 * registry stores its schemas over it and serves HTTPS with basic authentication, and the printed
 * settings are all the `troupe` CLI needs for topics, schemas, publishing, tracing a flow and
 * listing dead letters; every password is a file, never printed by anything here.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  PermanentError,
  createFailFastRedis,
  createKafkaDriver,
  loadDatabaseConnection,
  loadKafkaConnection,
  loadRedisConnection,
  probeDatabase,
  probeRedis,
} from '@troupe/kit';
import {
  FailureRouter,
  envelopeFor,
  envelopeHeaders,
  readDeliveryHistory,
} from '@troupe/kit/internal';
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

/**
 * A dead letter on `releases.events.dlq` written by the kit's own FailureRouter over the secured
 * connection, as a service that gave up on an event of flow `correlationId` would write it.
 */
async function deadLetter(settings: Record<string, string>, correlationId: string) {
  const kafka = createKafkaDriver(loadKafkaConnection(settings), {
    clientId: 'secured-stack-test',
  });
  const producer = kafka.producer();
  await producer.connect();
  try {
    const topic = 'releases.events';
    const envelope = envelopeFor(
      { type: 'troupe.releases.TestsPassed', payload: null, key: 'r-dead', topic, correlationId },
      'verifier',
    );
    const router = new FailureRouter({
      service: 'verifier',
      topicDelaysMs: [],
      sender: { sendRaw: (to, records) => producer.send([{ topic: to, records }]) },
    });
    const headers = envelopeHeaders(envelope);
    await router.route(
      {
        key: Buffer.from('r-dead'),
        value: Buffer.from([0, 0, 0, 0, 1]),
        headers,
        history: readDeliveryHistory(headers, { topic, partition: 0, offset: '0' }),
      },
      new PermanentError('suite: no such test suite "x"'),
      1,
    );
  } finally {
    await producer.disconnect();
  }
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
      'troupe-stack: up does not accept --secured (accepted: --secure --brokers)',
    ]);
    expect(result.stdout).toBe('');
  });

  it('starts a stack whose Kafka is SASL_SSL only, which the topics, schemas, publish, trace and dlq commands reach with the printed settings', async () => {
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
      'TROUPE_SCHEMA_REGISTRY_CA_FILE',
      'TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE',
      'TROUPE_SCHEMA_REGISTRY_URL',
      'TROUPE_SCHEMA_REGISTRY_USERNAME',
    ]);
    expect(settings.TROUPE_KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    const password = readFileSync(settings.TROUPE_KAFKA_SASL_PASSWORD_FILE!, 'utf8');
    expect(password.length).toBeGreaterThan(8);
    expect(settings.TROUPE_SCHEMA_REGISTRY_URL).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(settings.TROUPE_SCHEMA_REGISTRY_USERNAME).toBe('troupe');
    const registryPassword = readFileSync(settings.TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE!, 'utf8');
    expect(registryPassword.length).toBeGreaterThan(8);
    for (const file of [settings.TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE!])
      expect(statSync(file).mode & 0o077).toBe(0);
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

    // The registry lets in nobody anonymous, and a client must trust the stack's CA.
    const anonymous = await troupe(['schemas', 'check'], {
      ...settings,
      TROUPE_SCHEMA_REGISTRY_USERNAME: '',
      TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE: '',
    });
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.output).toMatch(/HTTP 401/);
    const wrong = await troupe(['schemas', 'register'], {
      ...settings,
      TROUPE_SCHEMA_REGISTRY_PASSWORD_FILE: '',
      TROUPE_SCHEMA_REGISTRY_PASSWORD: 'not-the-password',
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(
      /HTTP 401.*TROUPE_SCHEMA_REGISTRY_USERNAME and TROUPE_SCHEMA_REGISTRY_PASSWORD/,
    );
    const untrusted = await troupe(['schemas', 'check'], {
      ...settings,
      TROUPE_SCHEMA_REGISTRY_CA_FILE: '',
    });
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.output.trimEnd().split('\n')).toHaveLength(1);
    expect(untrusted.output).toMatch(/certificate is not trusted .*TROUPE_SCHEMA_REGISTRY_CA_FILE/);
    printed.push(anonymous.output, wrong.output, untrusted.output);

    // Without the SASL and TLS settings the broker is not reachable: there is no plaintext listener.
    const plain = await troupe(['topics', 'plan', '--timeout', '3000'], {
      TROUPE_KAFKA_BROKERS: settings.TROUPE_KAFKA_BROKERS!,
      TROUPE_CONNECT_TIMEOUT: '3s',
    });
    expect(plain.code).not.toBe(0);

    for (const args of [
      ['topics', 'apply', '--with-dead-letter'],
      ['topics', 'plan', '--with-dead-letter'],
      ['schemas', 'register'],
      ['schemas', 'check'],
    ]) {
      const result = await troupe(args, settings);
      printed.push(result.output);
      if (result.code !== 0) throw new Error(`troupe ${args.join(' ')}: ${result.output}`);
    }
    expect(printed.at(-3)).toMatch(/nothing to change|up to date|no change/i);

    // A flow published and traced, and a dead letter listed, all over SASL_SSL.
    const flow = `secured-flow-${Date.now()}`;
    const request = {
      releaseId: 'r-secured',
      service: 'checkout',
      version: '1.2.3',
      canaryShare: 0.1,
      requestedBy: 'secured-test',
      requestedAt: new Date().toISOString(),
    };
    const published = await troupe(
      [
        'publish',
        'troupe.releases.ReleaseRequested',
        '--json',
        JSON.stringify(request),
        '--correlation-id',
        flow,
      ],
      settings,
    );
    printed.push(published.output);
    expect(published).toMatchObject({ code: 0 });
    await deadLetter(settings, flow);
    const traced = await troupe(['trace', flow, '--topics', 'releases.events'], settings);
    printed.push(traced.output);
    expect(traced.code).toBe(0);
    expect(traced.output).toContain('troupe.releases.ReleaseRequested');
    expect(traced.output).toContain('releases.events.dlq');
    const listed = await troupe(['dlq', 'list', 'releases.events.dlq'], settings);
    printed.push(listed.output);
    expect(listed.code).toBe(0);
    expect(listed.output).toContain('no such test suite');

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
      for (const secret of [password, registryPassword, ...storePasswords])
        expect(output).not.toContain(secret);

    const down = await stackCli('down', env);
    expect(down.code).toBe(0);
    expect(down.stderr).toContain('removed');
    expect((await stackCli('status', env)).code).toBe(3);
  }, 150_000);
});
