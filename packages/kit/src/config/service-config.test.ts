import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../errors';
import { parseDuration, parseDurationList } from './duration';
import { SECRET_LOG_PATHS, loadConfig, loadKafkaConnection } from './service-config';

const base = { TROUPE_KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9093' };

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

test('defaults with only the brokers set', () => {
  expect(loadConfig(base)).toEqual({
    connectTimeoutMs: 10_000,
    redis: undefined,
    kafka: {
      brokers: ['kafka-1:9092', 'kafka-2:9093'],
      clientId: undefined,
      driver: 'kafkajs',
      ssl: false,
      sasl: undefined,
    },
    schemaRegistry: undefined,
    http: { port: 8080, host: '0.0.0.0' },
    logLevel: 'info',
    partitionConcurrency: 4,
    handlerTimeoutMs: 30_000,
    retry: {
      attempts: 3,
      backoffBaseMs: 100,
      backoffMaxMs: 5_000,
      topicDelaysMs: [1_000, 10_000, 60_000],
    },
    shutdownTimeoutMs: 30_000,
    instanceId: undefined,
  });
});

test('every variable parsed', () => {
  const config = loadConfig({
    ...base,
    TROUPE_KAFKA_CLIENT_ID: 'svc',
    TROUPE_KAFKA_SSL: 'true',
    TROUPE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    TROUPE_KAFKA_SASL_USERNAME: 'u',
    TROUPE_KAFKA_SASL_PASSWORD: 'p',
    TROUPE_SCHEMA_REGISTRY_URL: 'http://registry:8081',
    TROUPE_SUBJECT_STRATEGY: 'record-name',
    TROUPE_HTTP_PORT: '0',
    TROUPE_LOG_LEVEL: 'debug',
    TROUPE_PARTITION_CONCURRENCY: '8',
    TROUPE_HANDLER_TIMEOUT: '2.5s',
    TROUPE_RETRY_ATTEMPTS: '5',
    TROUPE_RETRY_BACKOFF_BASE: '50ms',
    TROUPE_RETRY_BACKOFF_MAX: '1m',
    TROUPE_RETRY_TOPIC_DELAYS: '500ms, 5s',
    TROUPE_SHUTDOWN_TIMEOUT: '10s',
    TROUPE_INSTANCE_ID: 'pod-1',
  });
  expect(config.kafka).toEqual({
    brokers: ['kafka-1:9092', 'kafka-2:9093'],
    clientId: 'svc',
    driver: 'kafkajs',
    ssl: { rejectUnauthorized: true },
    sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
  });
  expect(config.schemaRegistry).toEqual({
    url: 'http://registry:8081',
    username: undefined,
    password: undefined,
    subjectStrategy: 'record-name',
  });
  expect(config.http.port).toBe(0);
  expect(config.logLevel).toBe('debug');
  expect(config.partitionConcurrency).toBe(8);
  expect(config.handlerTimeoutMs).toBe(2_500);
  expect(config.retry).toEqual({
    attempts: 5,
    backoffBaseMs: 50,
    backoffMaxMs: 60_000,
    topicDelaysMs: [500, 5_000],
  });
  expect(config.shutdownTimeoutMs).toBe(10_000);
  expect(config.instanceId).toBe('pod-1');
  const registry = { ...base, TROUPE_SCHEMA_REGISTRY_URL: 'http://registry:8081' };
  expect(loadConfig(registry).schemaRegistry?.subjectStrategy).toBe('topic-record-name');
  expect(loadConfig({ ...base, TROUPE_RETRY_TOPIC_DELAYS: 'none' }).retry.topicDelaysMs).toEqual(
    [],
  );
});

test.each([
  [
    {},
    'TROUPE_KAFKA_BROKERS',
    'host:port, e.g. kafka-1:9092,kafka-2:9092 (it is not set)',
    undefined,
  ],
  [{ TROUPE_KAFKA_BROKERS: 'kafka' }, 'TROUPE_KAFKA_BROKERS', 'host:port', '"kafka"'],
  [{ TROUPE_KAFKA_BROKERS: 'kafka:99999' }, 'TROUPE_KAFKA_BROKERS', 'host:port', '"kafka:99999"'],
  [{ ...base, TROUPE_HTTP_PORT: 'eighty' }, 'TROUPE_HTTP_PORT', 'port number 0-65535', '"eighty"'],
  [{ ...base, TROUPE_HTTP_PORT: '70000' }, 'TROUPE_HTTP_PORT', 'port number 0-65535', '"70000"'],
  [
    { ...base, TROUPE_LOG_LEVEL: 'verbose' },
    'TROUPE_LOG_LEVEL',
    'one of fatal, error',
    '"verbose"',
  ],
  [
    { ...base, TROUPE_SCHEMA_REGISTRY_URL: 'registry:8081' },
    'TROUPE_SCHEMA_REGISTRY_URL',
    'http(s) URL',
    '"registry:8081"',
  ],
  [
    { ...base, TROUPE_SUBJECT_STRATEGY: 'topic' },
    'TROUPE_SUBJECT_STRATEGY',
    'topic-name | record-name | topic-record-name',
    '"topic"',
  ],
  [
    { ...base, TROUPE_PARTITION_CONCURRENCY: '0' },
    'TROUPE_PARTITION_CONCURRENCY',
    'integer 1-256',
    '"0"',
  ],
  [{ ...base, TROUPE_HANDLER_TIMEOUT: 'soon' }, 'TROUPE_HANDLER_TIMEOUT', 'duration', '"soon"'],
  [
    { ...base, TROUPE_RETRY_TOPIC_DELAYS: '1s,later' },
    'TROUPE_RETRY_TOPIC_DELAYS',
    'list of durations',
    '"1s,later"',
  ],
  [
    { ...base, TROUPE_RETRY_BACKOFF_BASE: '10s', TROUPE_RETRY_BACKOFF_MAX: '1s' },
    'TROUPE_RETRY_BACKOFF_MAX',
    '>= TROUPE_RETRY_BACKOFF_BASE',
    '"1000ms"',
  ],
  [
    { ...base, TROUPE_KAFKA_SASL_MECHANISM: 'plain', TROUPE_KAFKA_SASL_USERNAME: 'u' },
    'TROUPE_KAFKA_SASL_PASSWORD',
    'password',
    undefined,
  ],
])(
  'invalid config names the variable and the expected form (%#)',
  (env, variable, expected, found) => {
    const error = configError(env as Record<string, string>);
    expect(error.variable).toBe(variable);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain(`${variable}: expected`);
    expect(error.message).toContain(expected);
    if (found) expect(error.message).toContain(`found ${found}`);
  },
);

describe('secrets from files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-config-'));
  const secretFile = join(dir, 'password');
  writeFileSync(secretFile, 's3cret\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('<NAME>_FILE is read, its trailing newline dropped', () => {
    const config = loadConfig({
      ...base,
      TROUPE_KAFKA_SASL_MECHANISM: 'plain',
      TROUPE_KAFKA_SASL_USERNAME: 'u',
      TROUPE_KAFKA_SASL_PASSWORD_FILE: secretFile,
    });
    expect(config.kafka.sasl).toMatchObject({ password: 's3cret' });
  });

  test('any variable has a _FILE variant', () => {
    const brokersFile = join(dir, 'brokers');
    writeFileSync(brokersFile, 'k:9092');
    expect(loadConfig({ TROUPE_KAFKA_BROKERS_FILE: brokersFile }).kafka.brokers).toEqual([
      'k:9092',
    ]);
  });

  test('a missing file names the _FILE variable', () => {
    const error = configError({ ...base, TROUPE_KAFKA_SASL_PASSWORD_FILE: join(dir, 'nope') });
    expect(error.variable).toBe('TROUPE_KAFKA_SASL_PASSWORD_FILE');
    expect(error.message).toContain('ENOENT');
  });

  test('both the variable and its _FILE is ambiguous', () => {
    const error = configError({
      ...base,
      TROUPE_KAFKA_SASL_PASSWORD: 'x',
      TROUPE_KAFKA_SASL_PASSWORD_FILE: secretFile,
    });
    expect(error.variable).toBe('TROUPE_KAFKA_SASL_PASSWORD');
  });

  test('an invalid secret is named, its value never quoted back', () => {
    // A secret file with a second line (a comment, a pasted key pair): the first line is not it.
    const twoLines = join(dir, 'two-line-password');
    writeFileSync(twoLines, 'hunter2\nold: hunter1\n');
    const error = configError({
      TROUPE_KAFKA_BROKERS: 'k:1',
      TROUPE_KAFKA_SASL_MECHANISM: 'plain',
      TROUPE_KAFKA_SASL_USERNAME: 'u',
      TROUPE_KAFKA_SASL_PASSWORD_FILE: twoLines,
    });
    expect(error.variable).toBe('TROUPE_KAFKA_SASL_PASSWORD');
    expect(error.message).toContain('expected a password on one line');
    expect(error.message).toContain('found "(redacted)"');
    expect(error.message).not.toContain('hunter2');
  });
});

describe('TLS files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-tls-'));
  const pem = (label: string) => `-----BEGIN ${label}-----\nMIIB\n-----END ${label}-----\n`;
  const ca = join(dir, 'ca.pem');
  const cert = join(dir, 'client.pem');
  const key = join(dir, 'client.key');
  writeFileSync(ca, pem('CERTIFICATE'));
  writeFileSync(cert, pem('CERTIFICATE'));
  writeFileSync(key, pem('PRIVATE KEY'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('TROUPE_KAFKA_SSL alone: TLS trusting the system CAs, verifying the broker', () => {
    expect(loadConfig({ ...base, TROUPE_KAFKA_SSL: 'true' }).kafka.ssl).toEqual({
      rejectUnauthorized: true,
    });
    expect(loadConfig({ ...base, TROUPE_KAFKA_SSL: 'false' }).kafka.ssl).toBe(false);
  });

  test('the files are read at load, and any TROUPE_KAFKA_SSL_* implies TLS', () => {
    const env = {
      ...base,
      TROUPE_KAFKA_SSL_CA_FILE: ca,
      TROUPE_KAFKA_SSL_CERT_FILE: cert,
      TROUPE_KAFKA_SSL_KEY_FILE: key,
    };
    expect(loadKafkaConnection(env).ssl).toEqual({
      ca: pem('CERTIFICATE'),
      cert: pem('CERTIFICATE'),
      key: pem('PRIVATE KEY'),
      rejectUnauthorized: true,
    });
    expect(
      loadConfig({ ...base, TROUPE_KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }).kafka.ssl,
    ).toEqual({ rejectUnauthorized: false });
  });

  test.each([
    ['TROUPE_KAFKA_SSL_CA_FILE', join(dir, 'none.pem'), 'no such file'],
    ['TROUPE_KAFKA_SSL_CA_FILE', dir, 'a directory'],
    ['TROUPE_KAFKA_SSL_CA_FILE', key, 'no PEM CERTIFICATE block in it'],
    ['TROUPE_KAFKA_SSL_KEY_FILE', ca, 'no PEM PRIVATE KEY block in it'],
  ])('%s=%s is refused at load, naming the path and the problem', (variable, file, problem) => {
    const env = { ...base, TROUPE_KAFKA_SSL_CERT_FILE: cert, TROUPE_KAFKA_SSL_KEY_FILE: key };
    const error = configError({ ...env, [variable]: file });
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(`found ${JSON.stringify(`${file} (${problem})`)}`);
  });

  test("a key file's contents are never quoted, and are redacted in logs", () => {
    writeFileSync(join(dir, 'secret.key'), 'hunter2-not-a-pem');
    const error = configError({
      ...base,
      TROUPE_KAFKA_SSL_CERT_FILE: cert,
      TROUPE_KAFKA_SSL_KEY_FILE: join(dir, 'secret.key'),
    });
    expect(error.message).not.toContain('hunter2');
    expect(SECRET_LOG_PATHS).toEqual(expect.arrayContaining(['kafka.ssl.key', '*.kafka.ssl.key']));
  });

  test('a certificate needs its key and the other way round; TLS off contradicts the files', () => {
    expect(configError({ ...base, TROUPE_KAFKA_SSL_CERT_FILE: cert }).variable).toBe(
      'TROUPE_KAFKA_SSL_KEY_FILE',
    );
    expect(configError({ ...base, TROUPE_KAFKA_SSL_KEY_FILE: key }).variable).toBe(
      'TROUPE_KAFKA_SSL_CERT_FILE',
    );
    const error = configError({ ...base, TROUPE_KAFKA_SSL: 'false', TROUPE_KAFKA_SSL_CA_FILE: ca });
    expect(error.message).toBe(
      'TROUPE_KAFKA_SSL: expected true or unset when TROUPE_KAFKA_SSL_CA_FILE is set, found "false"',
    );
  });
});

describe('SASL/OAUTHBEARER', () => {
  const dir = mkdtempSync(join(tmpdir(), 'troupe-token-'));
  const tokenFile = join(dir, 'token');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const oauth = { ...base, TROUPE_KAFKA_SASL_MECHANISM: 'oauthbearer' };

  test('the token is read from its file at every authentication, not once at load', async () => {
    writeFileSync(tokenFile, 'first.token.value\n');
    const sasl = loadKafkaConnection({
      ...oauth,
      TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: tokenFile,
    }).sasl;
    if (sasl?.mechanism !== 'oauthbearer') throw new Error(`not oauthbearer: ${sasl?.mechanism}`);
    expect(await sasl.token()).toBe('first.token.value');
    writeFileSync(tokenFile, 'renewed.token.value');
    expect(await sasl.token()).toBe('renewed.token.value');
    rmSync(tokenFile);
    await expect(sasl.token()).rejects.toThrow(
      `TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: expected a path to a readable file holding one token, found ${JSON.stringify(`${tokenFile} (no such file)`)}`,
    );
  });

  test.each([
    ['missing', () => join(dir, 'none'), 'no such file'],
    ['empty', () => (writeFileSync(join(dir, 'empty'), '\n'), join(dir, 'empty')), 'empty'],
    [
      'two lines',
      () => (writeFileSync(join(dir, 'two'), 'secret-a\nsecret-b'), join(dir, 'two')),
      'more than one token in it',
    ],
  ])(
    'a %s token file is refused at load, naming the path, never the contents',
    (_, file, problem) => {
      const path = file();
      const error = configError({ ...oauth, TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: path });
      expect(error.variable).toBe('TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE');
      expect(error.message).toContain(`found ${JSON.stringify(`${path} (${problem})`)}`);
      expect(error.message).not.toContain('secret-');
    },
  );

  test('the mechanism and the token file come together', () => {
    expect(configError(oauth).message).toBe(
      'TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: expected a path to a file holding the token when TROUPE_KAFKA_SASL_MECHANISM is oauthbearer (it is not set)',
    );
    writeFileSync(tokenFile, 't');
    expect(
      configError({ ...base, TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: tokenFile }).variable,
    ).toBe('TROUPE_KAFKA_SASL_MECHANISM');
  });
});

test('durations', () => {
  expect(parseDuration('250ms')).toBe(250);
  expect(parseDuration('250')).toBe(250);
  expect(parseDuration('1.5s')).toBe(1_500);
  expect(parseDuration('2m')).toBe(120_000);
  expect(parseDuration('1h')).toBe(3_600_000);
  expect(parseDuration('-1s')).toBeUndefined();
  expect(parseDuration('1 day')).toBeUndefined();
  expect(parseDurationList('1s,10s,60s')).toEqual([1_000, 10_000, 60_000]);
  expect(parseDurationList('1s,x')).toBeUndefined();
});

test('TROUPE_REDIS_URL: a redis URL, quoted back with its password masked', () => {
  expect(loadConfig({ ...base, TROUPE_REDIS_URL: 'redis://:pw@redis:6379' }).redis).toEqual({
    url: 'redis://:pw@redis:6379',
  });
  expect(() => loadConfig({ ...base, TROUPE_REDIS_URL: 'http://:hunter2@redis' })).toThrow(
    'TROUPE_REDIS_URL: expected a redis:// or rediss:// URL, e.g. redis://redis:6379, found "http://:***@redis"',
  );
});

test('TROUPE_CONNECT_TIMEOUT: how long runService waits for its servers, 10s by default', () => {
  expect(loadConfig({ ...base, TROUPE_CONNECT_TIMEOUT: '3s' }).connectTimeoutMs).toBe(3_000);
  expect(() => loadConfig({ ...base, TROUPE_CONNECT_TIMEOUT: 'soon' })).toThrow(
    'TROUPE_CONNECT_TIMEOUT: expected a duration such as 10s, found "soon"',
  );
});
