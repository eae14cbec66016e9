/**
 * Kafka over SASL_SSL with SCRAM-SHA-512 and a private CA, end to end: a broker of its own from
 * the devstack (`secure: true`: no plaintext client listener), a service run as a process through
 * runService with only TROUPE_* settings, and the ways such a setup is got wrong, each one line on
 * stderr and exit code 1 within TROUPE_CONNECT_TIMEOUT, the password never printed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  type StandaloneKafka,
  makeStackCertificates,
  startStandaloneKafka,
  stopStandaloneKafka,
} from '@troupe/devstack';
import {
  Headers,
  Publisher,
  createKafkaDriver,
  headerString,
  loadKafkaConnection,
} from '@troupe/kit';
import { nextOffset } from '@troupe/kit/internal';
import { uniqueName } from '@troupe/testkit';
import { testCodec } from './support/runtime-support';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'secured-service.ts');
const CONNECT_TIMEOUT_S = 5;

let kafka: StandaloneKafka;
let password: string;
const children = new Set<ChildProcess>();

/** The secured broker's settings, with the driver under test. */
const secured = () => ({
  ...kafka.settings,
  TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER,
});
const driver = (clientId: string) =>
  createKafkaDriver(loadKafkaConnection(secured()), { clientId: uniqueName(clientId) });

beforeAll(async () => {
  kafka = await startStandaloneKafka({ secure: true, timeoutMs: 90_000 });
  password = readFileSync(kafka.settings.TROUPE_KAFKA_SASL_PASSWORD_FILE!, 'utf8');
  // Measured for the report: CA and certificates, format with the SCRAM user, broker answering.
  process.stderr.write(`secured kafka answered after ${kafka.startupMs} ms\n`);
}, 100_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (kafka) await stopStandaloneKafka(kafka);
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
  stderrLines: string[];
}

function launch(env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TSX_TSCONFIG_PATH: path.join(ROOT, 'tsconfig.json'),
      TROUPE_SCHEMA_REGISTRY_URL: process.env.TROUPE_SCHEMA_REGISTRY_URL,
      TROUPE_HTTP_PORT: '0',
      TROUPE_HTTP_HOST: '127.0.0.1',
      TROUPE_LOG_LEVEL: 'info',
      TROUPE_CONNECT_TIMEOUT: `${CONNECT_TIMEOUT_S}s`,
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
      resolve({
        code,
        stdout,
        stderr,
        stderrLines: stderr.trimEnd().split('\n').filter(Boolean),
      });
    }),
  );
  return { child, stdout: () => stdout, exited };
}

/**
 * Writes an unsigned JWT (alg "none") for user troupe that expires `lifetimeS` from now (negative:
 * already expired), as the devstack broker's default OAUTHBEARER validator accepts; returns its path.
 */
function tokenFile(name: string, lifetimeS: number): string {
  const now = Math.floor(Date.now() / 1000);
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const token = `${part({ alg: 'none' })}.${part({ sub: 'troupe', iat: now - 60, exp: now + lifetimeS })}.`;
  const file = path.join(kafka.dir, `token-${name}`);
  writeFileSync(file, token, { mode: 0o600 });
  return file;
}

async function until(check: () => boolean, what: string, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Reads `topic` over the secured connection until `count` records arrived; returns their types. */
async function readTypes(topic: string, count: number, timeoutMs = 30_000): Promise<string[]> {
  const consumer = driver('secured-reader').consumer({
    groupId: uniqueName('secured-reader'),
    maxWaitTimeMs: 200,
  });
  const types: string[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new Error(`${topic}: ${types.length} of ${count} records within ${timeoutMs} ms`)),
        timeoutMs,
      );
      consumer
        .run({
          topics: [topic],
          fromBeginning: true,
          partitionConcurrency: 1,
          onBatch: async ({ topic: t, partition, records }) => {
            for (const record of records)
              types.push(headerString(record.headers, Headers.type) ?? '?');
            const last = records[records.length - 1];
            if (last) consumer.seek(t, partition, nextOffset(last.offset));
            if (types.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
    });
  } finally {
    await consumer.stop();
  }
  return types;
}

/**
 * Runs the fixture service with the secured settings and `authentication` over them, feeds it
 * three events, and checks it handled each once and published its reactions, printing nothing
 * on stderr and no password anywhere.
 */
async function consumesAndPublishes(authentication: Record<string, string | undefined> = {}) {
  const input = uniqueName('secured-in');
  const output = uniqueName('secured-out');
  const admin = driver('secured-admin').admin();
  await admin.connect();
  try {
    await admin.createTopics([
      { topic: input, partitions: 2 },
      { topic: output, partitions: 1 },
    ]);
  } finally {
    await admin.disconnect();
  }
  const { child, stdout, exited } = launch({
    ...secured(),
    ...authentication,
    TEST_TOPIC: input,
    TEST_OUT_TOPIC: output,
  });
  await until(() => stdout().includes('"msg":"service started"'), 'the service to start');
  const publisher = new Publisher({
    kafka: driver('secured-feeder'),
    codec: testCodec(),
    source: 'secured-test',
  });
  await publisher.connect();
  try {
    for (let seq = 1; seq <= 3; seq++)
      await publisher.publish({
        type: 'test.runtime.Counted',
        topic: input,
        key: `k${seq}`,
        payload: { key: `k${seq}`, seq, note: null },
      });
  } finally {
    await publisher.disconnect();
  }
  const handled = () =>
    stdout()
      .split('\n')
      .filter((line) => line.startsWith('{"handled"'));
  await until(() => handled().length >= 3, 'three events handled');
  expect(await readTypes(output, 3)).toEqual(Array(3).fill('test.runtime.Noted'));
  child.kill('SIGTERM');
  const outcome = await exited;
  expect(outcome.code).toBe(0);
  expect(handled()).toHaveLength(3);
  expect(outcome.stderrLines).toEqual([]);
  expect(outcome.stdout + outcome.stderr).not.toContain(password);
}

describe('a service on SASL_SSL with a private CA', () => {
  it('consumes and publishes in reaction, over TLS with TROUPE_KAFKA_SSL_CA_FILE, as a SCRAM-SHA-512 user', async () => {
    await consumesAndPublishes();
  });

  it('presents a client certificate (mutual TLS) with TROUPE_KAFKA_SSL_CERT_FILE and _KEY_FILE', async () => {
    await consumesAndPublishes({
      TROUPE_KAFKA_SSL_CERT_FILE: kafka.certificates!.clientCertFile,
      TROUPE_KAFKA_SSL_KEY_FILE: kafka.certificates!.clientKeyFile,
    });
  });

  it('authenticates with an OAuth bearer token from TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE', async () => {
    await consumesAndPublishes({
      TROUPE_KAFKA_SASL_MECHANISM: 'oauthbearer',
      TROUPE_KAFKA_SASL_USERNAME: undefined,
      TROUPE_KAFKA_SASL_PASSWORD_FILE: undefined,
      TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: tokenFile('valid', 3600),
    });
  });
});

describe('a secured cluster got wrong fails in one line', () => {
  const started = () => Date.now();

  /** The one line a service started with `env` fails with; none of `secrets` is printed. */
  async function failure(
    env: Record<string, string | undefined>,
    secrets = [password],
  ): Promise<string> {
    const from = started();
    const { exited } = launch({ ...secured(), TEST_TOPIC: 'secured.none', ...env });
    const outcome = await exited;
    // Within the connect timeout, plus the process's own start (tsx) and exit.
    expect(Date.now() - from).toBeLessThan(CONNECT_TIMEOUT_S * 1000 + 10_000);
    expect(outcome.code).toBe(1);
    for (const secret of secrets) expect(outcome.stdout + outcome.stderr).not.toContain(secret);
    expect(outcome.stderrLines).toHaveLength(1);
    expect(outcome.stderr).not.toMatch(/\n\s+at /);
    return outcome.stderrLines[0]!;
  }

  it('a wrong password names the SASL settings', async () => {
    const wrong = path.join(kafka.dir, 'wrong-password');
    writeFileSync(wrong, `${password}x`);
    const line = await failure({ TROUPE_KAFKA_SASL_PASSWORD_FILE: wrong });
    expect(line).toMatch(
      /^secured-service: cannot reach Kafka at 127\.0\.0\.1:\d+ \(TROUPE_KAFKA_BROKERS\) within 5s: SASL authentication failed for user troupe .*TROUPE_KAFKA_SASL_PASSWORD/,
    );
  });

  it("without TROUPE_KAFKA_SSL_CA_FILE the private CA's certificate is not trusted, and says so", async () => {
    const line = await failure({ TROUPE_KAFKA_SSL_CA_FILE: undefined, TROUPE_KAFKA_SSL: 'true' });
    expect(line).toMatch(
      /^secured-service: cannot reach Kafka at .* within 5s: the broker's TLS certificate is not trusted \(.+\): .*TROUPE_KAFKA_SSL_CA_FILE/,
    );
  });

  it('a CA file that does not exist names the variable and the path', async () => {
    const missing = path.join(kafka.dir, 'no-such-ca.pem');
    const line = await failure({ TROUPE_KAFKA_SSL_CA_FILE: missing });
    expect(line).toBe(
      `secured-service: TROUPE_KAFKA_SSL_CA_FILE: expected a path to a readable PEM file of CA certificates, found ${JSON.stringify(`${missing} (no such file)`)}`,
    );
  });

  // @platformatic/kafka 2.12 emits the broker's post-handshake TLS alert as an 'error' event on a
  // Connection nothing listens to, which ends the process with a stack trace: known, kafkajs only.
  const onKafkajs = process.env.TROUPE_KAFKA_DRIVER === 'platformatic' ? it.skip : it;
  onKafkajs(
    'a client certificate of a CA the broker does not trust names the certificate setting',
    async () => {
      // Another run's CA: a well-formed client certificate the broker has no reason to accept.
      const foreign = await makeStackCertificates(path.join(kafka.dir, 'foreign-ca'));
      const line = await failure({
        TROUPE_KAFKA_SSL_CERT_FILE: foreign.clientCertFile,
        TROUPE_KAFKA_SSL_KEY_FILE: foreign.clientKeyFile,
      });
      expect(line).toMatch(
        /^secured-service: cannot reach Kafka at .* within 5s: the server refused this client's TLS certificate \(.+\): check TROUPE_KAFKA_SSL_CERT_FILE/,
      );
    },
  );

  it('a broker whose certificate has expired is named, with the cause', async () => {
    // A broker of its own, serving a certificate that expired yesterday, signed by a CA the
    // client trusts: what is wrong is the date, and only the date.
    const expired = await startStandaloneKafka({
      certificates: await makeStackCertificates(path.join(kafka.dir, 'expired-server'), {
        serverDays: -1,
      }),
      readyWithoutClientListener: true,
      timeoutMs: 90_000,
    });
    try {
      const itsPassword = readFileSync(expired.settings.TROUPE_KAFKA_SASL_PASSWORD_FILE!, 'utf8');
      const line = await failure({ ...expired.settings }, [password, itsPassword]);
      expect(line).toMatch(
        /^secured-service: cannot reach Kafka at 127\.0\.0\.1:\d+ \(TROUPE_KAFKA_BROKERS\) within 5s: the broker's TLS certificate is not valid now \(certificate has expired\)/,
      );
    } finally {
      await stopStandaloneKafka(expired);
    }
  });

  it('an expired OAuth bearer token names the token file', async () => {
    const line = await failure({
      TROUPE_KAFKA_SASL_MECHANISM: 'oauthbearer',
      TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: tokenFile('expired', -600),
    });
    expect(line).toMatch(
      /^secured-service: cannot reach Kafka at .* within 5s: the OAuth bearer token in TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE expired at \d{4}-\d\d-\d\dT.*Z: renew it$/,
    );
  });

  it('a plaintext client on the TLS listener is told to use TLS', async () => {
    const line = await failure({
      TROUPE_KAFKA_SSL_CA_FILE: undefined,
      TROUPE_KAFKA_SSL: undefined,
    });
    expect(line).toMatch(
      /^secured-service: cannot reach Kafka at .* within 5s: the broker speaks TLS and this client does not: set TROUPE_KAFKA_SSL=true/,
    );
  });
});
