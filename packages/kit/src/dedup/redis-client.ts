import { Redis, type RedisOptions } from 'ioredis';
import type { RedisConnection } from '../config/store-connection';

/**
 * Settings for a Redis client that fails fast: a dedup store that hangs while Redis is away would
 * stall the consumer silently; one that errors within a second lets the breaker open and pause it.
 * Commands queued while disconnected time out too (ioredis starts `commandTimeout` at send time).
 */
export const FAIL_FAST_REDIS_OPTIONS: RedisOptions = {
  commandTimeout: 1_000,
  connectTimeout: 2_000,
  maxRetriesPerRequest: 1,
  // disconnect() of a client that is reconnecting otherwise keeps the process alive 2 s.
  disconnectTimeout: 200,
  // Reconnect forever, backing off to 1 s, so the store heals on its own when Redis returns.
  retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 1_000),
};

/**
 * How long a connection may stay silent after a command was written before it is destroyed and
 * dialled again (ioredis's socketTimeout): twice the command timeout. A command timeout alone
 * fails the command but keeps the connection, so a connection left half-open (its peer gone
 * without a FIN or a reset, a network partition that kept the socket open) would fail every
 * command for ever; ioredis never gives up on it by itself.
 */
export function silentConnectionTimeout(commandTimeoutMs: number): number {
  return 2 * commandTimeoutMs;
}

/**
 * A Redis client for dedup and the Redis outbox, on a connection from loadRedisConnection (its
 * password and TLS CA applied) or a bare URL. Connection errors are reported to `onError` (they
 * also surface as rejected commands), never as an unhandled 'error' event.
 */
export function createFailFastRedis(
  connection: string | RedisConnection,
  options: RedisOptions & { onError?: (error: Error) => void } = {},
): Redis {
  const { onError, ...overrides } = options;
  const { url, password, tls } = typeof connection === 'string' ? { url: connection } : connection;
  const commandTimeout = overrides.commandTimeout ?? FAIL_FAST_REDIS_OPTIONS.commandTimeout!;
  const redis = new Redis(url, {
    ...FAIL_FAST_REDIS_OPTIONS,
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { tls } : {}),
    socketTimeout: silentConnectionTimeout(commandTimeout),
    ...overrides,
  });
  redis.on('error', (error: Error) => onError?.(error));
  return redis;
}
