import { Writable } from 'node:stream';
import { SECRET_VARIABLES, loadConfig } from '../config/service-config';
import { createLogger } from './logger';

const KAFKA_PASSWORD = 'kafka-hunter2';
const REGISTRY_PASSWORD = 'registry-hunter3';

const env = {
  TROUPE_KAFKA_BROKERS: 'kafka-1:9092',
  TROUPE_KAFKA_SASL_MECHANISM: 'plain',
  TROUPE_KAFKA_SASL_USERNAME: 'svc',
  TROUPE_KAFKA_SASL_PASSWORD: KAFKA_PASSWORD,
  TROUPE_SCHEMA_REGISTRY_URL: 'http://registry:8081',
  TROUPE_SCHEMA_REGISTRY_USERNAME: 'svc',
  TROUPE_SCHEMA_REGISTRY_PASSWORD: REGISTRY_PASSWORD,
};

/** A logger writing into `lines`, through a pino destination stream. */
function capture(): { lines: string[]; log: ReturnType<typeof createLogger> } {
  const lines: string[] = [];
  const destination = new Writable({
    write: (chunk, _encoding, done) => void (lines.push(String(chunk)), done()),
  });
  return { lines, log: createLogger({ service: 'svc', destination }) };
}

test('the secret settings are the passwords and the URLs that may hold one', () => {
  expect(SECRET_VARIABLES).toEqual([
    'TROUPE_KAFKA_SASL_PASSWORD',
    'TROUPE_SCHEMA_REGISTRY_PASSWORD',
    'TROUPE_REDIS_URL',
    'TROUPE_REDIS_PASSWORD',
    'TROUPE_DATABASE_URL',
    'TROUPE_DATABASE_PASSWORD',
  ]);
});

test('a logged config never shows the Redis password', () => {
  const config = loadConfig({
    ...env,
    TROUPE_REDIS_URL: 'redis://r',
    TROUPE_REDIS_PASSWORD: KAFKA_PASSWORD,
  });
  const { lines, log } = capture();
  log.info({ config }, 'config');
  expect(lines.join('')).not.toContain(KAFKA_PASSWORD);
  expect(JSON.parse(lines[0]!).config.redis.password).toBe('[redacted]');
});

test('a logged config never shows a password, wherever it sits in the object', () => {
  const config = loadConfig(env);
  expect(config.kafka.sasl).toMatchObject({ password: KAFKA_PASSWORD });
  const { lines, log } = capture();
  log.info(config, 'config at the top');
  log.info({ config }, 'config one level down');
  log.info({ settings: config }, 'config under another name');
  expect(lines).toHaveLength(3);
  const text = lines.join('');
  expect(text).not.toContain(KAFKA_PASSWORD);
  expect(text).not.toContain(REGISTRY_PASSWORD);
  // Only the secrets go: the rest of the config is still there to read.
  const first = JSON.parse(lines[0]!);
  expect(first.kafka).toMatchObject({ brokers: ['kafka-1:9092'], sasl: { username: 'svc' } });
  expect(first.kafka.sasl.password).toBe('[redacted]');
  expect(JSON.parse(lines[1]!).config.schemaRegistry.password).toBe('[redacted]');
});

test('a logged environment never shows a secret setting', () => {
  const { lines, log } = capture();
  log.info(env, 'env at the top');
  log.info({ env }, 'env one level down');
  log.info({ process: { env } }, 'env two levels down');
  const text = lines.join('');
  expect(text).not.toContain(KAFKA_PASSWORD);
  expect(text).not.toContain(REGISTRY_PASSWORD);
  expect(JSON.parse(lines[1]!).env).toMatchObject({
    TROUPE_KAFKA_BROKERS: 'kafka-1:9092',
    TROUPE_KAFKA_SASL_PASSWORD: '[redacted]',
    TROUPE_SCHEMA_REGISTRY_PASSWORD: '[redacted]',
  });
});
