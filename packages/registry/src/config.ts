import { loadKafkaConnection, readVariable, type KafkaConnection } from '@troupe/kit';
import { readPemFileSetting } from '@troupe/kit/internal';
import { parseUsersFile, UsersFileError, type RegistryUser } from './auth/users-file';

/**
 * The registry's settings: validated once, with errors that name the setting and its expected form.
 * `readEnvConfig` reads the CLI's environment variables; `checkOptions` validates programmatic use.
 */

export class RegistryConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly setting: string,
    expected: string,
    found?: unknown,
  ) {
    super(
      `${setting}: expected ${expected}${found === undefined ? '' : `, found ${JSON.stringify(found)}`}`,
    );
    this.name = 'RegistryConfigError';
  }
}

export interface EnvConfig {
  /** TROUPE_KAFKA_*, read as services read them: the registry connects as they do. */
  readonly kafka: KafkaConnection;
  readonly port: number;
  readonly host: string;
  readonly topic: string;
  readonly logLevel: string;
  /** TROUPE_REGISTRY_USERS_FILE's accounts: basic authentication when set. */
  readonly users?: readonly RegistryUser[];
  /** TROUPE_REGISTRY_TLS_CERT_FILE and _KEY_FILE's PEM text: HTTPS when set. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export const DEFAULT_PORT = 8081;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_TOPIC = '_schemas';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Throws a RegistryConfigError, or @troupe/kit's ConfigError for TROUPE_KAFKA_*; both name the variable. */
export function readEnvConfig(env: NodeJS.ProcessEnv): EnvConfig {
  const logLevel = env.TROUPE_LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new RegistryConfigError('TROUPE_LOG_LEVEL', `one of ${LOG_LEVELS.join(', ')}`, logLevel);
  }
  return {
    kafka: loadKafkaConnection(env),
    port: parsePort(
      'TROUPE_REGISTRY_PORT',
      env.TROUPE_REGISTRY_PORT?.trim() || String(DEFAULT_PORT),
    ),
    host: parseHost('TROUPE_REGISTRY_HOST', env.TROUPE_REGISTRY_HOST?.trim() || DEFAULT_HOST),
    topic: parseTopic('TROUPE_REGISTRY_TOPIC', env.TROUPE_REGISTRY_TOPIC?.trim() || DEFAULT_TOPIC),
    logLevel,
    ...optional('users', readUsers(env)),
    ...optional('tls', readTls(env)),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

const USERS_FILE = 'TROUPE_REGISTRY_USERS_FILE';
const USERS_FORM = 'a users file of <user>: <password>,<role> lines (roles read-only, read-write)';

/**
 * The accounts of TROUPE_REGISTRY_USERS_FILE, read as the kit reads any `<NAME>_FILE` (the path's
 * contents), but only as a file: passwords do not belong in the environment. A bad line is named
 * by its number and problem, never by its text, which holds a password.
 */
function readUsers(env: NodeJS.ProcessEnv): RegistryUser[] | undefined {
  const path = env[USERS_FILE]?.trim();
  if (!path) return undefined;
  const text = readVariable({ [USERS_FILE]: path }, USERS_FILE.replace(/_FILE$/, '')) ?? '';
  try {
    return parseUsersFile(text);
  } catch (error) {
    if (error instanceof UsersFileError)
      throw new RegistryConfigError(USERS_FILE, `${USERS_FORM}; in ${path}, ${error.message}`);
    throw error;
  }
}

const CERT_FILE = 'TROUPE_REGISTRY_TLS_CERT_FILE';
const KEY_FILE = 'TROUPE_REGISTRY_TLS_KEY_FILE';

/** Both TLS files, read as the kit reads TROUPE_KAFKA_SSL_CA_FILE; one without the other is refused. */
function readTls(env: NodeJS.ProcessEnv): { cert: string; key: string } | undefined {
  const cert = readPemFileSetting(
    env,
    CERT_FILE,
    'CERTIFICATE',
    'a path to a readable PEM certificate file',
  );
  const key = readPemFileSetting(
    env,
    KEY_FILE,
    'PRIVATE KEY',
    'a path to a readable PEM private key file',
  );
  if (cert !== undefined && key === undefined)
    throw new RegistryConfigError(KEY_FILE, `the private key of ${CERT_FILE} (it is not set)`);
  if (key !== undefined && cert === undefined)
    throw new RegistryConfigError(CERT_FILE, `the certificate of ${KEY_FILE} (it is not set)`);
  return cert !== undefined && key !== undefined ? { cert, key } : undefined;
}

/** Comma-separated host:port list, e.g. `127.0.0.1:9092,127.0.0.1:9093`. */
export function parseBrokers(
  setting: string,
  value: string | readonly string[] | undefined,
): string[] {
  const expected = 'a comma-separated list of host:port, e.g. 127.0.0.1:9092';
  if (value === undefined || value.length === 0) throw new RegistryConfigError(setting, expected);
  const list = typeof value === 'string' ? value.split(',') : [...value];
  const brokers = list.map((b) => b.trim()).filter((b) => b !== '');
  if (brokers.length === 0) throw new RegistryConfigError(setting, expected, value);
  for (const broker of brokers) {
    const match = /^(.+):(\d{1,5})$/.exec(broker);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535)
      throw new RegistryConfigError(setting, expected, broker);
  }
  return brokers;
}

/** An integer 0–65535; 0 asks the OS for a free port. */
export function parsePort(setting: string, value: string | number): number {
  const port = typeof value === 'number' ? value : /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RegistryConfigError(setting, 'an integer port 0-65535 (0 = any free port)', value);
  }
  return port;
}

export function parseHost(setting: string, value: string): string {
  if (!/^[A-Za-z0-9.:_-]+$/.test(value)) {
    throw new RegistryConfigError(
      setting,
      'a hostname or IP address to listen on, e.g. 127.0.0.1',
      value,
    );
  }
  return value;
}

/** A Kafka topic name: 1–249 of [a-zA-Z0-9._-]. */
export function parseTopic(setting: string, value: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(value) || value === '.' || value === '..') {
    throw new RegistryConfigError(
      setting,
      'a Kafka topic name (1-249 characters of a-z, A-Z, 0-9, . _ -)',
      value,
    );
  }
  return value;
}
