import { ConfigError, Environment, parseDuration, readVariable } from '@troupe/kit';

/**
 * Readers for the pipeline's own variables (the kit's loadConfig covers the TROUPE_* settings
 * every service shares). Each validates once, at start, and names the variable when it fails.
 */

export function readString(env: Environment, name: string, fallback: string): string {
  return readVariable(env, name) ?? fallback;
}

export function readOptionalString(env: Environment, name: string): string | undefined {
  return readVariable(env, name);
}

export function readRequiredString(env: Environment, name: string, expected: string): string {
  const value = readVariable(env, name);
  if (value === undefined) throw new ConfigError(name, expected);
  return value;
}

/** A duration such as `250ms`, `2s` or `1m`. */
export function readDuration(
  env: Environment,
  name: string,
  fallbackMs: number,
  limits: { minMs?: number; maxMs?: number } = {},
): number {
  const text = readVariable(env, name);
  if (text === undefined) return fallbackMs;
  const ms = parseDuration(text);
  const min = limits.minMs ?? 0;
  const max = limits.maxMs ?? Number.MAX_SAFE_INTEGER;
  if (ms === undefined || ms < min || ms > max) {
    throw new ConfigError(
      name,
      `a duration such as 250ms or 2s, between ${min}ms and ${max}ms`,
      text,
    );
  }
  return ms;
}

export function readNumber(
  env: Environment,
  name: string,
  fallback: number,
  limits: { min: number; max: number; integer?: boolean },
): number {
  const text = readVariable(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  const valid =
    text.trim() !== '' &&
    Number.isFinite(value) &&
    value >= limits.min &&
    value <= limits.max &&
    (!limits.integer || Number.isInteger(value));
  if (!valid) {
    const kind = limits.integer ? 'an integer' : 'a number';
    throw new ConfigError(name, `${kind} between ${limits.min} and ${limits.max}`, text);
  }
  return value;
}

export function readBoolean(env: Environment, name: string, fallback: boolean): boolean {
  const text = readVariable(env, name);
  if (text === undefined) return fallback;
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw new ConfigError(name, 'true or false', text);
}

/** A redis:// or rediss:// URL. */
export function readRedisUrl(env: Environment): string {
  const url = readRequiredString(
    env,
    'TROUPE_REDIS_URL',
    'a Redis URL such as redis://localhost:6379',
  );
  if (!/^rediss?:\/\/[^\s]+$/.test(url)) {
    throw new ConfigError('TROUPE_REDIS_URL', 'a Redis URL such as redis://localhost:6379', url);
  }
  return url;
}

/** A postgres:// or postgresql:// URL. */
export function readDatabaseUrl(env: Environment): string {
  const expected = 'a PostgreSQL URL such as postgres://user:password@localhost:5432/db';
  const url = readRequiredString(env, 'TROUPE_DATABASE_URL', expected);
  // The URL usually carries a password: never quote it back.
  if (!/^postgres(ql)?:\/\/[^\s]+$/.test(url))
    throw new ConfigError('TROUPE_DATABASE_URL', expected, '(redacted)');
  return url;
}
