import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readEnvConfig } from './config';
import { parseVersion, parseId } from './http/params';

describe('readEnvConfig', () => {
  const brokers = { TROUPE_KAFKA_BROKERS: '127.0.0.1:19092, kafka:9092' };

  it('reads the variables and applies defaults', () => {
    expect(readEnvConfig(brokers)).toEqual({
      kafka: { brokers: ['127.0.0.1:19092', 'kafka:9092'], driver: 'kafkajs', ssl: false },
      port: 8081,
      host: '127.0.0.1',
      topic: '_schemas',
      logLevel: 'info',
    });
    expect(
      readEnvConfig({ ...brokers, TROUPE_REGISTRY_PORT: '0', TROUPE_REGISTRY_HOST: '0.0.0.0' }),
    ).toMatchObject({
      port: 0,
      host: '0.0.0.0',
    });
  });

  it('reaches Kafka with the settings services use, TLS and SASL included', () => {
    expect(
      readEnvConfig({
        ...brokers,
        TROUPE_KAFKA_SSL: 'true',
        TROUPE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
        TROUPE_KAFKA_SASL_USERNAME: 'registry',
        TROUPE_KAFKA_SASL_PASSWORD: 'secret',
        TROUPE_KAFKA_CLIENT_ID: 'schemas',
      }).kafka,
    ).toEqual({
      brokers: ['127.0.0.1:19092', 'kafka:9092'],
      driver: 'kafkajs',
      clientId: 'schemas',
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'registry', password: 'secret' },
    });
  });

  it.each([
    [{}, /^TROUPE_KAFKA_BROKERS: expected a comma-separated list of host:port/],
    [{ TROUPE_KAFKA_BROKERS: 'localhost' }, /^TROUPE_KAFKA_BROKERS: .*found "localhost"$/],
    [
      { ...brokers, TROUPE_REGISTRY_PORT: 'http' },
      /^TROUPE_REGISTRY_PORT: expected an integer port 0-65535.*found "http"$/,
    ],
    [{ ...brokers, TROUPE_REGISTRY_PORT: '70000' }, /^TROUPE_REGISTRY_PORT: /],
    [
      { ...brokers, TROUPE_REGISTRY_HOST: 'a b' },
      /^TROUPE_REGISTRY_HOST: expected a hostname or IP address/,
    ],
    [
      { ...brokers, TROUPE_REGISTRY_TOPIC: 'bad/topic' },
      /^TROUPE_REGISTRY_TOPIC: expected a Kafka topic name/,
    ],
    [{ ...brokers, TROUPE_LOG_LEVEL: 'loud' }, /^TROUPE_LOG_LEVEL: expected one of fatal, error/],
    [
      { ...brokers, TROUPE_KAFKA_SASL_MECHANISM: 'plain', TROUPE_KAFKA_SASL_USERNAME: 'u' },
      /^TROUPE_KAFKA_SASL_PASSWORD: expected a password/,
    ],
  ])('names the variable and the expected form: %j', (env, message) => {
    expect(() => readEnvConfig(env)).toThrow(message);
  });
});

describe('readEnvConfig: authentication and TLS', () => {
  const brokers = { TROUPE_KAFKA_BROKERS: '127.0.0.1:19092' };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'registry-config-'));
  const file = (name: string, text: string) => {
    const at = path.join(dir, name);
    writeFileSync(at, text);
    return at;
  };
  const users = file('users', 'troupe: pw-one,read-write\nreader: pw-two,read-only\n');
  const cert = file('cert.pem', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  const key = file(
    'key.pem',
    '-----BEGIN PRIVATE KEY-----\nkey-material\n-----END PRIVATE KEY-----\n',
  );

  it('reads the users file and both TLS files', () => {
    const config = readEnvConfig({
      ...brokers,
      TROUPE_REGISTRY_USERS_FILE: users,
      TROUPE_REGISTRY_TLS_CERT_FILE: cert,
      TROUPE_REGISTRY_TLS_KEY_FILE: key,
    });
    expect(config.users).toEqual([
      { username: 'troupe', password: 'pw-one', role: 'read-write' },
      { username: 'reader', password: 'pw-two', role: 'read-only' },
    ]);
    expect(config.tls?.cert).toContain('BEGIN CERTIFICATE');
    expect(config.tls?.key).toContain('key-material');
  });

  it.each([
    [
      { TROUPE_REGISTRY_USERS_FILE: path.join(dir, 'missing') },
      /^TROUPE_REGISTRY_USERS_FILE: expected a path to a readable file, found ".*missing \(ENOENT\)"$/,
    ],
    [
      { TROUPE_REGISTRY_USERS_FILE: file('bad-users', '# ok\ntroupe: pw-three,admin\n') },
      /^TROUPE_REGISTRY_USERS_FILE: expected a users file .*bad-users, line 2: user troupe has a role/,
    ],
    [
      { TROUPE_REGISTRY_TLS_CERT_FILE: cert },
      /^TROUPE_REGISTRY_TLS_KEY_FILE: expected the private key of TROUPE_REGISTRY_TLS_CERT_FILE \(it is not set\)$/,
    ],
    [
      { TROUPE_REGISTRY_TLS_KEY_FILE: key },
      /^TROUPE_REGISTRY_TLS_CERT_FILE: expected the certificate of TROUPE_REGISTRY_TLS_KEY_FILE/,
    ],
    [
      { TROUPE_REGISTRY_TLS_CERT_FILE: key, TROUPE_REGISTRY_TLS_KEY_FILE: key },
      /^TROUPE_REGISTRY_TLS_CERT_FILE: .*no PEM CERTIFICATE block in it/,
    ],
    [
      {
        TROUPE_REGISTRY_TLS_CERT_FILE: cert,
        TROUPE_REGISTRY_TLS_KEY_FILE: path.join(dir, 'nokey'),
      },
      /^TROUPE_REGISTRY_TLS_KEY_FILE: .*nokey \(no such file\)/,
    ],
  ])('names the variable and the problem, never a secret: %j', (env, message) => {
    let thrown: Error | undefined;
    try {
      readEnvConfig({ ...brokers, ...env });
    } catch (error) {
      thrown = error as Error;
    }
    expect(thrown?.message).toMatch(message);
    for (const secret of ['pw-', 'key-material']) expect(thrown?.message).not.toContain(secret);
  });
});

describe('path parameters', () => {
  it('reads versions as Confluent does', () => {
    expect(parseVersion('latest')).toBe('latest');
    expect(parseVersion('-1')).toBe('latest');
    expect(parseVersion('12')).toBe(12);
    for (const bad of ['0', '-2', 'one', '1.5', '2147483648', '']) {
      expect(() => parseVersion(bad)).toThrow(
        expect.objectContaining({ errorCode: 42202, status: 422 }),
      );
    }
  });

  it('answers 40403 for an id that cannot exist', () => {
    expect(parseId('7')).toBe(7);
    expect(() => parseId('x')).toThrow(expect.objectContaining({ errorCode: 40403 }));
    expect(() => parseId('0')).toThrow(expect.objectContaining({ errorCode: 40403 }));
  });
});
