import type { Redis } from 'ioredis';
import { Client } from 'pg';
import type { DatabaseConnection, RedisConnection } from '../config/store-connection';
import type { KafkaTls } from '../kafka/connection';
import {
  UnreachableError,
  deadline,
  describeSocketError,
  errorChain,
  socketErrorCode,
  tlsHandshake,
} from './dependency-probe';
import { POSTGRES_TLS, REDIS_TLS, certificateProblem } from './tls-problem';

/**
 * Whether Redis and PostgreSQL answer with the given settings, as probeDependencies asks Kafka:
 * once, within the connect timeout, and a refusal as one UnreachableError whose reason names the
 * setting to fix (a wrong password, an untrusted certificate, plaintext against TLS). No reason
 * quotes a password: neither server's messages do, and addresses are host:port only.
 */

/** Resolves when `redis` (made on `connection`, e.g. by createFailFastRedis) answers PING. */
export async function probeRedis(
  redis: Redis,
  connection: RedisConnection,
  timeoutMs: number,
): Promise<void> {
  const address = hostPort(connection.url, 6379);
  const fail = (reason: string) =>
    new UnreachableError('Redis', address, 'TROUPE_REDIS_URL', timeoutMs, reason);
  const why = async (error?: unknown) =>
    fail(await whyRedisFails(error, connection, address, Math.min(timeoutMs, 2_000)));
  await deadline(pingWithin(redis, Date.now() + timeoutMs), timeoutMs, () => why(), why);
}

/**
 * PING, again while the client's own per-command timeout (FAIL_FAST_REDIS_OPTIONS: 1 s) is what
 * failed and the probe's deadline has not passed: at start the event loop can be busy for longer
 * than that (modules loading, the Kafka probe), which is no reason to refuse the start.
 */
async function pingWithin(redis: Redis, until: number): Promise<void> {
  for (;;) {
    try {
      await redis.ping();
      return;
    } catch (error) {
      const timedOut = error instanceof Error && error.message === 'Command timed out';
      if (!timedOut || Date.now() >= until) throw error;
    }
  }
}

async function whyRedisFails(
  error: unknown,
  connection: RedisConnection,
  address: string,
  ms: number,
): Promise<string> {
  const message = error instanceof Error ? error.message : undefined;
  if (message?.startsWith('WRONGPASS'))
    return 'Redis refused the user name or password (WRONGPASS): check TROUPE_REDIS_PASSWORD (or the user info in TROUPE_REDIS_URL)';
  if (message?.startsWith('NOAUTH'))
    return 'Redis requires a password (NOAUTH): set TROUPE_REDIS_PASSWORD or TROUPE_REDIS_PASSWORD_FILE';
  // ioredis reports a failed handshake as a dropped connection it retries: a handshake of our own
  // tells an untrusted certificate, and a TLS port answering a plaintext client.
  const tls = redisTls(connection);
  const handshake = await tlsHandshake(address, tls || { rejectUnauthorized: false }, ms);
  if (!tls && handshake.error === undefined)
    return 'Redis speaks TLS and this client does not: use a rediss:// URL in TROUPE_REDIS_URL (and TROUPE_REDIS_TLS_CA_FILE for a private CA)';
  if (tls && handshake.error) {
    const certificate = certificateProblem(handshake.error, REDIS_TLS);
    if (certificate) return certificate;
  }
  const code = socketErrorCode(error);
  if (code) return describeSocketError({ code } as NodeJS.ErrnoException);
  return message ?? 'no answer';
}

/** The TLS ioredis uses for `connection`: the CA's, or the system's for rediss://; false for plaintext. */
function redisTls(connection: RedisConnection): false | KafkaTls {
  if (connection.tls) return { rejectUnauthorized: true, ca: connection.tls.ca };
  return connection.url.startsWith('rediss:') ? { rejectUnauthorized: true } : false;
}

/** Resolves when PostgreSQL accepts a session on `connection` and answers `SELECT 1`. */
export async function probeDatabase(
  connection: DatabaseConnection,
  timeoutMs: number,
): Promise<void> {
  const address = hostPort(connection.connectionString, 5432);
  const fail = (reason: string) =>
    new UnreachableError('PostgreSQL', address, 'TROUPE_DATABASE_URL', timeoutMs, reason);
  const client = new Client({ ...connection, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await deadline(
      client.connect().then(() => client.query('SELECT 1')),
      timeoutMs,
      async () => fail('no answer'),
      (error) => fail(whyDatabaseFails(error)),
    );
  } finally {
    void client.end().catch(() => undefined);
  }
}

function whyDatabaseFails(error: unknown): string {
  const chain = errorChain(error);
  const certificate = chain.map((e) => certificateProblem(e, POSTGRES_TLS)).find(Boolean);
  if (certificate) return certificate;
  const { code, message = String(error) } = error as { code?: string; message?: string };
  // 28P01 invalid_password; 28000 invalid_authorization_specification (pg_hba.conf refused).
  if (code === '28P01')
    return `${message}: check TROUPE_DATABASE_PASSWORD (or the password in TROUPE_DATABASE_URL)`;
  if (code === '28000' && /no encryption/.test(message))
    return `${message}: the server accepts only TLS, set TROUPE_DATABASE_SSL_CA_FILE`;
  if (/does not support SSL/i.test(message))
    return `${message}: unset TROUPE_DATABASE_SSL_CA_FILE, or point TROUPE_DATABASE_URL at a TLS server`;
  const socketCode = socketErrorCode(error);
  if (socketCode) return describeSocketError({ code: socketCode } as NodeJS.ErrnoException);
  return message;
}

/** `host:port` of a URL (the scheme's default port when it has none), never its user info. */
function hostPort(url: string, defaultPort: number): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || defaultPort}`;
}
