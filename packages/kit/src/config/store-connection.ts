import { ConfigError } from '../errors';

/**
 * How to reach Redis, as ioredis takes it: `new Redis(url, { password, tls })` (createFailFastRedis
 * does this). Read from TROUPE_REDIS_URL, TROUPE_REDIS_PASSWORD and TROUPE_REDIS_TLS_CA_FILE by
 * loadRedisConnection and loadConfig. `url` may hold a password and `password` is one: the logger
 * redacts both (`redis.url`, `redis.password`), and no error quotes either.
 */
export interface RedisConnection {
  /** redis:// or rediss:// (TLS with the system's CAs). */
  url: string;
  /** TROUPE_REDIS_PASSWORD: overrides the URL's, since ioredis prefers options to the URL. */
  password?: string;
  /** TROUPE_REDIS_TLS_CA_FILE's PEM text: TLS, trusting this CA besides the system's, whatever the scheme. */
  tls?: { ca: string };
}

/**
 * How to reach PostgreSQL, as node-postgres takes it: spread into `new Pool({ ...connection, max })`.
 * Read from TROUPE_DATABASE_URL, TROUPE_DATABASE_PASSWORD and TROUPE_DATABASE_SSL_CA_FILE by
 * loadDatabaseConnection. `connectionString` holds the password when one is set: never log it.
 */
export interface DatabaseConnection {
  /**
   * The URL, with TROUPE_DATABASE_PASSWORD in it. pg lets the URL's fields override separate
   * options (an empty URL password included), so the password goes where pg reads it first.
   */
  connectionString: string;
  /** With TROUPE_DATABASE_SSL_CA_FILE: TLS that verifies the server's certificate against it and its host name. */
  ssl?: { ca: string; rejectUnauthorized: true };
}

export function redisConnection(parts: {
  url: string;
  password?: string;
  ca?: string;
}): RedisConnection {
  const connection: RedisConnection = { url: parts.url };
  if (parts.password !== undefined) connection.password = parts.password;
  if (parts.ca !== undefined) connection.tls = { ca: parts.ca };
  return connection;
}

/** The URL parameters through which pg-connection-string would replace `ssl` with its own. */
const URL_SSL_PARAMETERS = ['ssl', 'sslmode', 'sslrootcert', 'sslcert', 'sslkey'];

export function databaseConnection(parts: {
  url: string;
  password?: string;
  ca?: string;
}): DatabaseConnection {
  const url = new URL(parts.url);
  if (parts.password !== undefined) url.password = encodeURIComponent(parts.password);
  const connection: DatabaseConnection = { connectionString: url.toString() };
  if (parts.ca !== undefined) {
    const conflicting = URL_SSL_PARAMETERS.find((name) => url.searchParams.has(name));
    if (conflicting)
      throw new ConfigError(
        'TROUPE_DATABASE_URL',
        `a URL without ${conflicting}= when TROUPE_DATABASE_SSL_CA_FILE is set (the CA file decides TLS)`,
        maskUrlPassword(parts.url),
      );
    connection.ssl = { ca: parts.ca, rejectUnauthorized: true };
  }
  return connection;
}

/**
 * A URL as it may be quoted in an error: the password in its user info, and any `password=`
 * parameter, replaced by `***`. Works on malformed text too (that is when it is quoted): the user
 * info is whatever stands between the scheme and the last `@`, its password whatever follows its
 * first `:`.
 */
export function maskUrlPassword(text: string): string {
  let masked = text.replace(/([?&]password=)[^&]*/gi, '$1***');
  const at = masked.lastIndexOf('@');
  if (at >= 0) {
    const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(masked)?.[0] ?? '';
    const userinfo = masked.slice(scheme.length, at);
    const colon = userinfo.indexOf(':');
    if (colon >= 0) masked = `${scheme}${userinfo.slice(0, colon)}:***@${masked.slice(at + 1)}`;
  }
  return masked;
}
