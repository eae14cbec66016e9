/**
 * Redis over TLS with a password and PostgreSQL with scram-sha-256 over TLS, end to end, on a
 * secured local stack of the test's own (`startLocalStack({ secure: true })`: Kafka SASL_SSL too):
 * a service run as a process by runService keeps its dedup keys in that Redis, and the outbox
 * relay publishes rows from that PostgreSQL, each event arriving exactly once. Then the ways such
 * a setup is got wrong, each one line within TROUPE_CONNECT_TIMEOUT naming the setting to fix, no
 * password in any output.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type LocalStack, startLocalStack, stopLocalStack } from '@troupe/devstack';
import {
  AvroCodec,
  Publisher,
  createFailFastRedis,
  createKafkaDriver,
  createSchemaCatalog,
  loadDatabaseConnection,
  loadKafkaConnection,
  loadRedisConnection,
  registryClientFromConfig,
} from '@troupe/kit';
import { loadSchemaRegistrySettings } from '@troupe/kit/internal';
import { Pool } from 'pg';
import { PgOutbox } from '../src/outbox';
import { collect, createTopic, uniqueName } from './fixtures/dedup-support';
import { testSchemas } from './support/test-schemas';

jest.setTimeout(150_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(__dirname, 'fixtures');
const CONNECT_TIMEOUT_S = 5;

let stack: LocalStack;
let passwords: string[];
const children = new Set<ChildProcess>();

/** The secured stack's settings, with the driver under test. */
const secured = (): Record<string, string | undefined> => ({
  ...stack.settings,
  TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER,
});
const driver = (clientId: string) =>
  createKafkaDriver(loadKafkaConnection(secured()), { clientId: uniqueName(clientId) });

beforeAll(async () => {
  stack = await startLocalStack({ secure: true, timeoutMs: 90_000 });
  const { settings } = stack;
  passwords = [
    settings.TROUPE_KAFKA_SASL_PASSWORD_FILE,
    settings.TROUPE_REDIS_PASSWORD_FILE,
    settings.TROUPE_DATABASE_PASSWORD_FILE,
  ].map((file) => readFileSync(file!, 'utf8'));
}, 140_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (stack) await stopLocalStack(stack);
});

interface Outcome {
  code: number | null;
  output: string;
  lines: string[];
}

/** Runs a script with only these settings (and the test's own); `output()` is stdout and stderr. */
function launch(script: string, env: Record<string, string | undefined>, args: string[] = []) {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
      TROUPE_HTTP_PORT: '0',
      TROUPE_HTTP_HOST: '127.0.0.1',
      TROUPE_LOG_LEVEL: 'info',
      TROUPE_CONNECT_TIMEOUT: `${CONNECT_TIMEOUT_S}s`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<Outcome>((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve({ code, output, lines: output.trimEnd().split('\n').filter(Boolean) });
    }),
  );
  return { child, output: () => output, exited };
}

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expectNoPassword(text: string): void {
  for (const password of passwords) expect(text).not.toContain(password);
}

describe('the secured stores, through the front door', () => {
  it('a service that declares dedup keeps its keys in Redis over TLS with a password: each event handled once', async () => {
    const topic = uniqueName('secured_dedup');
    const kafka = driver('secured-admin');
    await createTopic(kafka, topic, 2);
    const service = launch(path.join(FIXTURES, 'secured-dedup-service.ts'), {
      ...secured(),
      TEST_TOPIC: topic,
    });
    await until(
      () => service.output().includes('"msg":"service started"'),
      'the service to start',
    ).catch((error: Error) => {
      throw new Error(`${error.message}; its output:\n${service.output().slice(-3_000)}`);
    });
    const publisher = new Publisher({
      kafka: driver('secured-feeder'),
      codec: new AvroCodec({
        // The stack's registry is HTTPS with basic authentication: reached as services reach it.
        registry: registryClientFromConfig({
          schemaRegistry: loadSchemaRegistrySettings(secured()),
        }),
        catalog: createSchemaCatalog(testSchemas.map((schema) => ({ schema, source: 'test' }))),
      }),
      source: 'secured-stores-test',
    });
    await publisher.connect();
    const ids: string[] = [];
    try {
      // Every event twice, with its id: the second delivery is dedup's to drop.
      for (let seq = 1; seq <= 20; seq++) {
        const id = uniqueName(`event_${seq}`);
        ids.push(id);
        for (let copy = 0; copy < 2; copy++)
          await publisher.publish({
            type: 'test.runtime.Counted',
            topic,
            key: `k${seq % 4}`,
            id,
            payload: { key: `k${seq % 4}`, seq, note: null },
          });
      }
    } finally {
      await publisher.disconnect();
    }
    const handled = () =>
      service
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{"handled"'))
        .map((line) => (JSON.parse(line) as { id: string }).id);
    await until(() => handled().length >= 20, 'twenty events handled');
    await sleep(2_000); // time for a repeat to show, had dedup missed one
    service.child.kill('SIGTERM');
    const outcome = await service.exited;
    expect(outcome.code).toBe(0);
    expect(handled().sort()).toEqual([...ids].sort());
    expectNoPassword(outcome.output);
    // The keys are in the secured Redis, reached with the printed settings.
    const redis = createFailFastRedis(loadRedisConnection(secured())!);
    try {
      const keys = await redis.keys('troupe:dedup:secured-dedup-service:*');
      expect(keys.length).toBeGreaterThanOrEqual(20);
    } finally {
      redis.disconnect();
    }
  });

  it('the outbox relay publishes the rows committed in PostgreSQL over TLS with scram-sha-256, each once', async () => {
    const pool = new Pool({ ...loadDatabaseConnection(secured()), max: 2 });
    const outbox = new PgOutbox({ table: uniqueName('outbox') });
    const topic = uniqueName('secured_outbox');
    const kafka = driver('secured-outbox');
    await createTopic(kafka, topic, 2);
    await outbox.migrate(pool);
    const committed: string[] = [];
    try {
      for (let t = 0; t < 10; t++) {
        const tx = await pool.connect();
        try {
          await tx.query('BEGIN');
          const messages = Array.from({ length: 5 }, (_, i) => {
            const id = `row-${t}-${i}`;
            committed.push(id);
            return { topic, key: `a${i}`, value: JSON.stringify({ t, i }), headers: { ce_id: id } };
          });
          await outbox.addMany(tx, messages);
          await tx.query('COMMIT');
        } finally {
          tx.release();
        }
      }
    } finally {
      await pool.end();
    }
    const { consumer, messages } = await collect(kafka, topic);
    const relay = launch(path.join(FIXTURES, 'outbox-relay.ts'), secured(), [
      JSON.stringify({ kind: 'pg', table: outbox.table.table, batchSize: 10 }),
    ]);
    try {
      await until(() => messages.length >= committed.length, 'every row published');
      await sleep(2_000); // time for a repeat to show
    } finally {
      relay.child.kill('SIGTERM');
      await consumer.stop();
    }
    const outcome = await relay.exited;
    const received = messages.map((m) => String(m.headers.ce_id));
    expect(received.sort()).toEqual([...committed].sort());
    expect(outcome.output).not.toContain('"error"');
    expectNoPassword(outcome.output);
  });
});

describe('secured stores got wrong fail in one line naming the setting', () => {
  async function failure(script: string, env: Record<string, string | undefined>) {
    const from = Date.now();
    const { exited } = launch(script, { ...secured(), TEST_TOPIC: 'secured.none', ...env });
    const outcome = await exited;
    // Within the connect timeout, plus the process's own start (tsx) and exit.
    expect(Date.now() - from).toBeLessThan(CONNECT_TIMEOUT_S * 1000 + 10_000);
    expect(outcome.code).toBe(1);
    expectNoPassword(outcome.output);
    expect(outcome.lines).toHaveLength(1);
    return outcome.lines[0]!;
  }
  const service = path.join(FIXTURES, 'secured-dedup-service.ts');
  const releases = path.join(ROOT, 'services', 'releases', 'src', 'main.ts');
  const redisPrefix =
    /^secured-dedup-service: cannot reach Redis at 127\.0\.0\.1:\d+ \(TROUPE_REDIS_URL\) within 5s: /;

  it('a wrong Redis password', async () => {
    const wrong = path.join(stack.dir, 'wrong-redis-password');
    writeFileSync(wrong, 'not-the-password', { mode: 0o600 });
    const line = await failure(service, { TROUPE_REDIS_PASSWORD_FILE: wrong });
    expect(line).toMatch(redisPrefix);
    expect(line).toContain('(WRONGPASS): check TROUPE_REDIS_PASSWORD');
  });

  it("Redis without the CA: the stack's certificate is not trusted", async () => {
    const line = await failure(service, { TROUPE_REDIS_TLS_CA_FILE: undefined });
    expect(line).toMatch(redisPrefix);
    expect(line).toMatch(
      /the Redis server's TLS certificate is not trusted \(.+\): give the CA that signed it in TROUPE_REDIS_TLS_CA_FILE$/,
    );
  });

  it('plaintext redis:// against the TLS port', async () => {
    const line = await failure(service, {
      TROUPE_REDIS_URL: stack.settings.TROUPE_REDIS_URL.replace('rediss://', 'redis://'),
      TROUPE_REDIS_TLS_CA_FILE: undefined,
    });
    expect(line).toMatch(redisPrefix);
    expect(line).toContain(
      'Redis speaks TLS and this client does not: use a rediss:// URL in TROUPE_REDIS_URL',
    );
  });

  it('a malformed Redis URL is quoted with its password masked', async () => {
    const [redisPassword] = passwords.slice(1);
    const line = await failure(service, {
      TROUPE_REDIS_URL: `rediss://default:${redisPassword}@127.0.0.1:port`,
    });
    expect(line).toBe(
      'secured-dedup-service: TROUPE_REDIS_URL: expected a redis:// or rediss:// URL, e.g. redis://redis:6379, found "rediss://default:***@127.0.0.1:port"',
    );
  });

  /** The releases service's one JSON line: its message is the reason it did not start. */
  async function releasesFailure(env: Record<string, string | undefined>): Promise<string> {
    const line = await failure(releases, env);
    const { msg, err } = JSON.parse(line) as { msg: string; err: { message: string } };
    expect(msg).toBe('could not start');
    return err.message;
  }
  const pgPrefix =
    /^cannot reach PostgreSQL at 127\.0\.0\.1:\d+ \(TROUPE_DATABASE_URL\) within 5s: /;

  it('releases with a wrong database password', async () => {
    const wrong = path.join(stack.dir, 'wrong-database-password');
    writeFileSync(wrong, 'not-the-password', { mode: 0o600 });
    const message = await releasesFailure({ TROUPE_DATABASE_PASSWORD_FILE: wrong });
    expect(message).toMatch(pgPrefix);
    expect(message).toContain(
      'password authentication failed for user "postgres": check TROUPE_DATABASE_PASSWORD',
    );
  });

  it("releases without the database CA: the stack's certificate is not trusted", async () => {
    const message = await releasesFailure({
      TROUPE_DATABASE_SSL_CA_FILE: undefined,
      TROUPE_DATABASE_URL: `${stack.settings.TROUPE_DATABASE_URL}?sslmode=verify-full`,
    });
    expect(message).toMatch(pgPrefix);
    expect(message).toMatch(
      /the PostgreSQL server's TLS certificate is not trusted \(.+\): give the CA that signed it in TROUPE_DATABASE_SSL_CA_FILE$/,
    );
  });

  it('releases without TLS to the database: the server accepts only TLS', async () => {
    const message = await releasesFailure({ TROUPE_DATABASE_SSL_CA_FILE: undefined });
    expect(message).toMatch(pgPrefix);
    expect(message).toContain('the server accepts only TLS, set TROUPE_DATABASE_SSL_CA_FILE');
  });
});
