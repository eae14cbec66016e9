import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  SECRET_LOG_PATHS,
  loadConfig,
  loadDatabaseConnection,
  loadRedisConnection,
} from './service-config';
import { maskUrlPassword } from './store-connection';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
let dir: string;
let ca: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'troupe-store-config-'));
  ca = join(dir, 'ca.pem');
  writeFileSync(ca, CA);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const thrown = (load: () => unknown): string => {
  try {
    load();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe('loadRedisConnection', () => {
  it('is undefined without TROUPE_REDIS_URL, the URL alone otherwise', () => {
    expect(loadRedisConnection({})).toBeUndefined();
    expect(loadRedisConnection({ TROUPE_REDIS_URL: 'redis://redis:6379' })).toEqual({
      url: 'redis://redis:6379',
    });
  });

  it('adds the password (also from _FILE) and the CA, which implies TLS', () => {
    const passwordFile = join(dir, 'redis-password');
    writeFileSync(passwordFile, 's3cret\n');
    expect(
      loadRedisConnection({
        TROUPE_REDIS_URL: 'rediss://troupe:old@redis:6380/2',
        TROUPE_REDIS_PASSWORD_FILE: passwordFile,
        TROUPE_REDIS_TLS_CA_FILE: ca,
      }),
    ).toEqual({ url: 'rediss://troupe:old@redis:6380/2', password: 's3cret', tls: { ca: CA } });
  });

  it('is what loadConfig puts at redis', () => {
    const env = {
      TROUPE_KAFKA_BROKERS: 'kafka:9092',
      TROUPE_REDIS_URL: 'redis://redis:6379',
      TROUPE_REDIS_PASSWORD: 'pw',
    };
    expect(loadConfig(env).redis).toEqual(loadRedisConnection(env));
    expect(SECRET_LOG_PATHS).toEqual(expect.arrayContaining(['redis.url', 'redis.password']));
  });

  it('refuses a password or CA without a URL, naming TROUPE_REDIS_URL', () => {
    expect(thrown(() => loadRedisConnection({ TROUPE_REDIS_PASSWORD: 'hunter2' }))).toBe(
      'TROUPE_REDIS_URL: expected a redis:// or rediss:// URL when TROUPE_REDIS_PASSWORD is set (it is not set)',
    );
  });

  it('quotes a malformed URL with its password masked', () => {
    const message = thrown(() =>
      loadRedisConnection({ TROUPE_REDIS_URL: 'redis://troupe:hunter2@host:port/x y' }),
    );
    expect(message).toBe(
      'TROUPE_REDIS_URL: expected a redis:// or rediss:// URL, e.g. redis://redis:6379, found "redis://troupe:***@host:port/x y"',
    );
    expect(message).not.toContain('hunter2');
  });

  it('names an unreadable CA file and the problem', () => {
    const unreadable = join(dir, 'none.pem');
    expect(
      thrown(() =>
        loadRedisConnection({
          TROUPE_REDIS_URL: 'redis://r',
          TROUPE_REDIS_TLS_CA_FILE: unreadable,
        }),
      ),
    ).toBe(
      `TROUPE_REDIS_TLS_CA_FILE: expected a path to a readable PEM file of CA certificates, found "${unreadable} (no such file)"`,
    );
  });
});

describe('loadDatabaseConnection', () => {
  it('requires TROUPE_DATABASE_URL', () => {
    expect(thrown(() => loadDatabaseConnection({}))).toBe(
      'TROUPE_DATABASE_URL: expected a postgres:// or postgresql:// URL, e.g. postgres://user@localhost:5432/db (it is not set)',
    );
  });

  it('puts the password into the URL, where pg reads it first, encoded', () => {
    expect(
      loadDatabaseConnection({
        TROUPE_DATABASE_URL: 'postgres://app:old@db:5432/releases',
        TROUPE_DATABASE_PASSWORD: 'p@ss:w/rd%',
      }),
    ).toEqual({ connectionString: 'postgres://app:p%40ss%3Aw%2Frd%25@db:5432/releases' });
    expect(loadDatabaseConnection({ TROUPE_DATABASE_URL: 'postgresql://app@db/x' })).toEqual({
      connectionString: 'postgresql://app@db/x',
    });
  });

  it('with a CA, verifies the certificate and host', () => {
    expect(
      loadDatabaseConnection({
        TROUPE_DATABASE_URL: 'postgres://app@db/x',
        TROUPE_DATABASE_SSL_CA_FILE: ca,
      }),
    ).toEqual({
      connectionString: 'postgres://app@db/x',
      ssl: { ca: CA, rejectUnauthorized: true },
    });
  });

  it('refuses sslmode in the URL next to a CA file (pg would let the URL win)', () => {
    expect(
      thrown(() =>
        loadDatabaseConnection({
          TROUPE_DATABASE_URL: 'postgres://app:hunter2@db/x?sslmode=require',
          TROUPE_DATABASE_SSL_CA_FILE: ca,
        }),
      ),
    ).toBe(
      'TROUPE_DATABASE_URL: expected a URL without sslmode= when TROUPE_DATABASE_SSL_CA_FILE is set (the CA file decides TLS), found "postgres://app:***@db/x?sslmode=require"',
    );
  });

  it('quotes a malformed URL with its password masked', () => {
    const message = thrown(() =>
      loadDatabaseConnection({ TROUPE_DATABASE_URL: 'postgres://app:hunter2@db:port/x' }),
    );
    expect(message).toBe(
      'TROUPE_DATABASE_URL: expected a postgres:// or postgresql:// URL, e.g. postgres://user@localhost:5432/db, found "postgres://app:***@db:port/x"',
    );
  });

  it('is not read by loadConfig (runService opens no database)', () => {
    expect(() =>
      loadConfig({ TROUPE_KAFKA_BROKERS: 'kafka:9092', TROUPE_DATABASE_URL: 'nonsense' }),
    ).not.toThrow();
  });

  it('an unreadable password file names TROUPE_DATABASE_PASSWORD_FILE', () => {
    const missing = join(dir, 'no-password');
    expect(
      thrown(() =>
        loadDatabaseConnection({
          TROUPE_DATABASE_URL: 'postgres://app@db/x',
          TROUPE_DATABASE_PASSWORD_FILE: missing,
        }),
      ),
    ).toBe(
      `TROUPE_DATABASE_PASSWORD_FILE: expected a path to a readable file, found "${missing} (ENOENT)"`,
    );
  });
});

describe('maskUrlPassword', () => {
  it.each([
    ['redis://troupe:hunter2@host:6379', 'redis://troupe:***@host:6379'],
    ['redis://:hunter2@host', 'redis://:***@host'],
    ['postgres://app:p@ss@db/x', 'postgres://app:***@db/x'],
    ['postgres://db/x?user=app&password=hunter2&x=1', 'postgres://db/x?user=app&password=***&x=1'],
    ['app:hunter2@db', 'app:***@db'],
    ['redis://host:6379', 'redis://host:6379'],
    ['redis://user@host', 'redis://user@host'],
  ])('%s → %s', (text, masked) => {
    expect(maskUrlPassword(text)).toBe(masked);
  });
});
