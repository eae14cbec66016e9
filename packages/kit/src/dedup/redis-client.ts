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
  const redis = new Redis(url, {
    ...FAIL_FAST_REDIS_OPTIONS,
    ...(password !== undefined ? { password } : {}),
    ...(tls ? { tls } : {}),
    ...overrides,
  });
  redis.on('error', (error: Error) => onError?.(error));
  return redis;
}
