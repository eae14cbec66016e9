import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  DEFAULT_SUBJECT_STRATEGY,
  SUBJECT_STRATEGIES,
  type SubjectNameStrategy,
} from '../codec/subject-strategy';
import { ConfigError } from '../errors';
import type { KafkaConnection, KafkaTls } from '../kafka/connection';
import { KAFKA_DRIVERS, type KafkaDriverName } from '../kafka/driver-names';
import { isBrokerAddress } from './broker-address';
import { parseDuration, parseDurationList } from './duration';
import { Environment, readVariable } from './env-source';
import { formatDuration, type SettingDoc } from './setting-doc';
import {
  type DatabaseConnection,
  databaseConnection,
  maskUrlPassword,
  type RedisConnection,
  redisConnection,
} from './store-connection';

/** Everything a service reads from its environment, validated once at start. */
export interface TroupeConfig {
  kafka: KafkaConnection;
  schemaRegistry?: {
    url: string;
    username?: string;
    password?: string;
    /** TROUPE_SCHEMA_REGISTRY_CA_FILE's PEM text: a private CA trusted for an https registry. */
    ca?: string;
    /** How event types map to subjects; pass it to AvroCodec's `subjectStrategy`. */
    subjectStrategy: SubjectNameStrategy;
  };
  /** TROUPE_REDIS_*: where runService keeps dedup keys when it builds the store itself. */
  redis?: RedisConnection;
  /** How long runService waits for Kafka, the registry and Redis to answer before giving up. */
  connectTimeoutMs: number;
  http: { port: number; host: string };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Partitions handled at the same time (kafkajs partitionsConsumedConcurrently). */
  partitionConcurrency: number;
  handlerTimeoutMs: number;
  retry: {
    /** Handler calls per delivery, the first included, before the event moves to a retry topic. */
    attempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    /** One delay per retry topic: `<topic>.retry.1` waits topicDelaysMs[0], and so on. */
    topicDelaysMs: number[];
  };
  shutdownTimeoutMs: number;
  instanceId?: string;
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'not a duration' });
  return ms ?? 0;
});
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => ['true', '1', 'yes'].includes(v));

/**
 * Variable name → schema and the expected form quoted in the ConfigError. A variable marked
 * secret may also be given as `<NAME>_FILE`; the logger redacts it (SECRET_LOG_PATHS) under its
 * own name (env-like objects) and at `secret.configPath`, where TroupeConfig holds its value.
 */
/** A secret with a line break in it is a mangled file (CRLF, a second line), never a password. */
const oneLine = z
  .string()
  .regex(/^[^\r\n]*$/)
  .optional();

/**
 * A path to a PEM file, read at config load: the value becomes the file's text. A missing or
 * unreadable file, or one without a `-----BEGIN …<label>-----` block, is refused naming the path
 * and the problem; the contents are never quoted (a key file is secret material).
 */
export const pemFile = (label: string) =>
  z
    .string()
    .optional()
    .transform((file, ctx) => {
      if (file === undefined) return undefined;
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        ctx.addIssue({ code: 'custom', message: `${file} (${describeFileError(code)})` });
        return undefined;
      }
      if (!new RegExp(`-----BEGIN [A-Z0-9 ]*${label}-----`).test(text))
        ctx.addIssue({ code: 'custom', message: `${file} (no PEM ${label} block in it)` });
      return text;
    });

/**
 * A path to a file holding one bearer token, checked at config load (readable, not empty) and
 * re-read at every authentication by the provider oauthBearerToken returns. Its contents are
 * never quoted.
 */
const tokenFile = z
  .string()
  .optional()
  .transform((file, ctx) => {
    if (file === undefined) return undefined;
    const { problem } = readToken(file);
    if (problem) ctx.addIssue({ code: 'custom', message: `${file} (${problem})` });
    return file;
  });

function readToken(file: string): { token?: string; problem?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { problem: describeFileError((error as NodeJS.ErrnoException).code ?? 'unreadable') };
  }
  const token = text.trim();
  if (token === '') return { problem: 'empty' };
  if (/\s/.test(token)) return { problem: 'more than one token in it' };
  return { token };
}

/** Reads the token file at each call, so a token renewed in place is used from the next authentication. */
function oauthBearerToken(file: string): () => Promise<string> {
  return async () => {
    const { token, problem } = readToken(file);
    if (token === undefined)
      throw new ConfigError(
        'TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE',
        'a path to a readable file holding one token',
        `${file} (${problem})`,
      );
    return token;
  };
}

/** A URL of one of `schemes` that WHATWG URL (and so ioredis and pg) can parse. */
const urlOf = (...schemes: string[]) =>
  z
    .string()
    .optional()
    .refine(
      (text) =>
        text === undefined ||
        (/^[^\s]+$/.test(text) &&
          URL.canParse(text) &&
          schemes.includes(new URL(text).protocol.slice(0, -1))),
    );

function describeFileError(code: string): string {
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'a directory';
  return code;
}

const VARIABLES = {
  TROUPE_KAFKA_BROKERS: {
    description: 'The Kafka bootstrap brokers every client connects to.',
    expected: 'a comma-separated list of host:port, e.g. kafka-1:9092,kafka-2:9092',
    schema: z.string().transform((text, ctx) => {
      const brokers = text
        .split(',')
        .map((b) => b.trim())
        .filter((b) => b !== '');
      const valid = brokers.length > 0 && brokers.every(isBrokerAddress);
      if (!valid) ctx.addIssue({ code: 'custom', message: 'not a host:port list' });
      return brokers;
    }),
  },
  TROUPE_KAFKA_CLIENT_ID: {
    description:
      'The client id announced to the brokers (in their logs and quotas); a service uses its own name when unset.',
    expected: 'a client id',
    schema: z.string().min(1).optional(),
  },
  TROUPE_KAFKA_DRIVER: {
    description:
      'Which client library talks to Kafka: kafkajs, or platformatic (@platformatic/kafka, Node 22.22+).',
    expected: KAFKA_DRIVERS.join(' | '),
    schema: z
      .enum(KAFKA_DRIVERS as unknown as [KafkaDriverName, ...KafkaDriverName[]])
      .default('kafkajs'),
  },
  TROUPE_KAFKA_SSL: {
    description:
      'Connect to the brokers over TLS; unset means TLS when a CA, certificate, key or verification setting below is set, plaintext otherwise.',
    expected: 'true or false',
    schema: bool.optional(),
    shownDefault: 'false',
  },
  TROUPE_KAFKA_SSL_CA_FILE: {
    description:
      "A PEM file of the CA certificates that sign the brokers' certificates (a private CA), trusted besides the system's; implies TLS.",
    expected: 'a path to a readable PEM file of CA certificates',
    schema: pemFile('CERTIFICATE'),
  },
  TROUPE_KAFKA_SSL_CERT_FILE: {
    description:
      'A PEM client certificate (chain) for mutual TLS, with TROUPE_KAFKA_SSL_KEY_FILE; implies TLS.',
    expected: 'a path to a readable PEM certificate file',
    schema: pemFile('CERTIFICATE'),
  },
  TROUPE_KAFKA_SSL_KEY_FILE: {
    description:
      'The PEM private key of TROUPE_KAFKA_SSL_CERT_FILE (unencrypted); its contents are never logged or quoted.',
    expected: 'a path to a readable PEM private key file',
    schema: pemFile('PRIVATE KEY'),
    fileContents: { configPath: 'kafka.ssl.key' },
  },
  TROUPE_KAFKA_SSL_REJECT_UNAUTHORIZED: {
    description:
      'Refuse brokers whose certificate does not verify; false is for a test cluster only. Implies TLS.',
    expected: 'true or false',
    schema: bool.optional(),
    shownDefault: 'true',
  },
  TROUPE_KAFKA_SASL_MECHANISM: {
    description:
      'The SASL mechanism: plain and scram-* need TROUPE_KAFKA_SASL_USERNAME and _PASSWORD, oauthbearer needs TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE; unset means no SASL.',
    expected: 'plain, scram-sha-256, scram-sha-512 or oauthbearer',
    schema: z.enum(['plain', 'scram-sha-256', 'scram-sha-512', 'oauthbearer']).optional(),
  },
  TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE: {
    description:
      'A file holding the OAuth bearer token (e.g. a JWT) for SASL/OAUTHBEARER, re-read at every authentication so a renewed token is picked up; its contents are never logged or quoted.',
    expected: 'a path to a readable file holding one token',
    schema: tokenFile,
  },
  TROUPE_KAFKA_SASL_USERNAME: {
    description: 'The SASL user name, required when TROUPE_KAFKA_SASL_MECHANISM is set.',
    expected: 'a user name',
    schema: z.string().optional(),
  },
  TROUPE_KAFKA_SASL_PASSWORD: {
    description:
      'The SASL password, required when TROUPE_KAFKA_SASL_MECHANISM is set; redacted in logs.',
    expected: 'a password on one line',
    schema: oneLine,
    secret: { configPath: 'kafka.sasl.password' },
  },
  TROUPE_SCHEMA_REGISTRY_URL: {
    description: 'The schema registry the Avro codec registers and fetches schemas at.',
    expected: 'an http(s) URL, e.g. http://registry:8081',
    schema: z
      .string()
      .regex(/^https?:\/\/[^\s/]+/)
      .optional(),
  },
  TROUPE_SCHEMA_REGISTRY_USERNAME: {
    description: "The user name for the schema registry's basic authentication.",
    expected: 'a user name',
    schema: z.string().optional(),
  },
  TROUPE_SCHEMA_REGISTRY_PASSWORD: {
    description: "The password for the schema registry's basic authentication; redacted in logs.",
    expected: 'a password on one line',
    schema: oneLine,
    secret: { configPath: 'schemaRegistry.password' },
  },
  TROUPE_SCHEMA_REGISTRY_CA_FILE: {
    description:
      "A PEM file of the CA certificates that sign an https registry's certificate (a private CA), trusted besides the system's.",
    expected: 'a path to a readable PEM file of CA certificates',
    schema: pemFile('CERTIFICATE'),
  },
  TROUPE_REDIS_URL: {
    description:
      'The Redis runService keeps dedup keys in for a definition that declares dedup; redacted in logs.',
    expected: 'a redis:// or rediss:// URL, e.g. redis://redis:6379',
    schema: urlOf('redis', 'rediss'),
    // May hold a password: quoted back with it masked, redacted in logs, accepted as a _FILE.
    secret: { configPath: 'redis.url' },
    maskedUrl: true,
  },
  TROUPE_REDIS_PASSWORD: {
    description:
      "The Redis password (AUTH, requirepass or an ACL user's); overrides the one in TROUPE_REDIS_URL; redacted in logs.",
    expected: 'a password on one line',
    schema: oneLine,
    secret: { configPath: 'redis.password' },
  },
  TROUPE_REDIS_TLS_CA_FILE: {
    description:
      "A PEM file of the CA certificates that sign Redis's certificate (a private CA), trusted besides the system's; implies TLS.",
    expected: 'a path to a readable PEM file of CA certificates',
    schema: pemFile('CERTIFICATE'),
  },
  TROUPE_DATABASE_URL: {
    description:
      'The PostgreSQL a service keeps its tables (and outbox) in, read by loadDatabaseConnection; redacted in logs.',
    expected: 'a postgres:// or postgresql:// URL, e.g. postgres://user@localhost:5432/db',
    schema: urlOf('postgres', 'postgresql'),
    secret: { configPath: 'database.connectionString' },
    maskedUrl: true,
  },
  TROUPE_DATABASE_PASSWORD: {
    description:
      "The PostgreSQL user's password; overrides the one in TROUPE_DATABASE_URL; redacted in logs.",
    expected: 'a password on one line',
    schema: oneLine,
    secret: { configPath: 'database.password' },
  },
  TROUPE_DATABASE_SSL_CA_FILE: {
    description:
      "A PEM file of the CA certificates that sign PostgreSQL's certificate: the client then requires TLS and verifies the certificate and host name (sslmode=verify-full).",
    expected: 'a path to a readable PEM file of CA certificates',
    schema: pemFile('CERTIFICATE'),
  },
  TROUPE_CONNECT_TIMEOUT: {
    description:
      'How long runService waits for Kafka, the registry and Redis to answer before the start fails.',
    expected: 'a duration such as 10s',
    schema: duration.default(10_000),
  },
  TROUPE_SUBJECT_STRATEGY: {
    description:
      'How event types map to registry subjects (topic-record-name, topic-name or record-name).',
    expected: SUBJECT_STRATEGIES.join(' | '),
    schema: z
      .enum(SUBJECT_STRATEGIES as [SubjectNameStrategy, ...SubjectNameStrategy[]])
      .default(DEFAULT_SUBJECT_STRATEGY),
  },
  TROUPE_HTTP_PORT: {
    description: 'The port of /healthz, /readyz and /metrics; 0 picks a free one.',
    expected: 'a port number 0-65535',
    schema: int(0, 65535).default(8080),
  },
  TROUPE_HTTP_HOST: {
    description: 'The address /healthz, /readyz and /metrics listen on.',
    expected: 'a host or address to listen on',
    schema: z.string().min(1).default('0.0.0.0'),
  },
  TROUPE_LOG_LEVEL: {
    description: "The pino log level of the service's JSON logs.",
    expected: 'one of fatal, error, warn, info, debug, trace, silent',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  },
  TROUPE_PARTITION_CONCURRENCY: {
    description: 'How many partitions a service handles at the same time.',
    expected: 'an integer 1-256',
    schema: int(1, 256).default(4),
  },
  TROUPE_HANDLER_TIMEOUT: {
    description: 'How long one handler call may take before it fails with HandlerTimeoutError.',
    expected: 'a duration such as 30s or 500ms',
    schema: duration.default(30_000),
  },
  TROUPE_RETRY_ATTEMPTS: {
    description:
      'Handler calls per delivery, the first included, before an event moves to a retry topic.',
    expected: 'an integer 1-100',
    schema: int(1, 100).default(3),
  },
  TROUPE_RETRY_BACKOFF_BASE: {
    description:
      "The ceiling of the first in-process retry's backoff (exponential, with full jitter).",
    expected: 'a duration such as 100ms',
    schema: duration.default(100),
  },
  TROUPE_RETRY_BACKOFF_MAX: {
    description: 'The longest in-process backoff (at least TROUPE_RETRY_BACKOFF_BASE).',
    expected: 'a duration such as 5s',
    schema: duration.default(5_000),
  },
  TROUPE_RETRY_TOPIC_DELAYS: {
    description:
      'One delay per retry topic (<topic>.retry.1 waits the first); none sends failures straight to the DLQ.',
    expected: 'a comma-separated list of durations such as 1s,10s,60s, or none',
    schema: z
      .string()
      .transform((text, ctx) => {
        if (text.trim() === 'none') return [];
        const delays = parseDurationList(text);
        if (!delays || delays.length > 20)
          ctx.addIssue({ code: 'custom', message: 'not a duration list' });
        return delays ?? [];
      })
      .default([1_000, 10_000, 60_000]),
  },
  TROUPE_SHUTDOWN_TIMEOUT: {
    description: 'How long in-flight handlers get to finish on a stop before they are aborted.',
    expected: 'a duration such as 30s',
    schema: duration.default(30_000),
  },
  TROUPE_INSTANCE_ID: {
    description: 'A name for this instance (e.g. a pod name), added to every log line as instance.',
    expected: 'an instance id',
    schema: z.string().min(1).optional(),
  },
} satisfies Record<
  string,
  {
    description: string;
    expected: string;
    schema: z.ZodType;
    secret?: { configPath: string };
    /** The default docs/settings.md shows, when an unset value's meaning depends on other settings. */
    shownDefault?: string;
    /** The value is a path; the file's contents, at configPath, are secret (redacted in logs). */
    fileContents?: { configPath: string };
    /** A secret URL: an error quotes it with its password masked (maskUrlPassword), not as "(redacted)". */
    maskedUrl?: true;
  }
>;

type VariableName = keyof typeof VARIABLES;
type Parsed = { [K in VariableName]: z.output<(typeof VARIABLES)[K]['schema']> };

/** The variables that hold secrets; each also accepts `<NAME>_FILE`. */
export const SECRET_VARIABLES: readonly string[] = Object.entries(VARIABLES)
  .filter(([, spec]) => 'secret' in spec)
  .map(([name]) => name);

/**
 * The kit's settings as docs/settings.md lists them. Every one is read through readVariable, so
 * each also accepts `<NAME>_FILE`. The default is what the schema yields for an unset variable:
 * `required` when it fails, `none` when it is undefined; durations are shown as durations.
 */
export const KIT_SETTINGS: readonly SettingDoc[] = Object.entries(VARIABLES).map(([name, spec]) => {
  const unset = (spec.schema as z.ZodType).safeParse(undefined);
  const isDuration = spec.expected.includes('duration');
  const show = (value: unknown): string =>
    isDuration && typeof value === 'number' ? formatDuration(value) : String(value);
  let shown: string;
  if ('shownDefault' in spec) shown = spec.shownDefault;
  else if (!unset.success) shown = 'required';
  else if (unset.data === undefined) shown = 'none';
  else if (Array.isArray(unset.data)) shown = unset.data.map(show).join(',');
  else shown = show(unset.data);
  return { name, default: shown, description: spec.description, fromFile: true };
});

/**
 * Where a secret setting can stand in a logged object, as pino redact paths: under its variable
 * name at the top or up to two levels down (`{ env: process.env }`), and at its TroupeConfig path
 * in a logged config, at the top (`log.info(config)`) or one level down (`{ config }`).
 */
export const SECRET_LOG_PATHS: readonly string[] = Object.entries(VARIABLES).flatMap(
  ([name, spec]) => {
    const secret = 'secret' in spec ? spec.secret : undefined;
    const contents = 'fileContents' in spec ? spec.fileContents : undefined;
    if (contents) return [contents.configPath, `*.${contents.configPath}`];
    if (!secret) return [];
    const path = secret.configPath;
    return [name, `*.${name}`, `*.*.${name}`, path, `*.${path}`];
  },
);

/**
 * Reads and validates the service configuration. Throws a ConfigError naming the first
 * invalid variable and its expected form; the secret's value is never quoted back.
 */
export function loadConfig(env: Environment = process.env): TroupeConfig {
  return assemble(parseVariables(env, SERVICE_VARIABLES) as Parsed);
}

// runService opens no database: TROUPE_DATABASE_* are read by the services that use one.
const SERVICE_VARIABLES = (Object.keys(VARIABLES) as VariableName[]).filter(
  (name) => !name.startsWith('TROUPE_DATABASE_'),
);

/**
 * Only the TROUPE_REDIS_* settings, validated as loadConfig validates them: how a service reaches
 * its own Redis (state, a router) as runService reaches the dedup store. Undefined when
 * TROUPE_REDIS_URL is unset; a password or CA without it is refused.
 */
export function loadRedisConnection(env: Environment = process.env): RedisConnection | undefined {
  return assembleRedis(parseVariables(env, REDIS_VARIABLES) as Parsed);
}

const REDIS_VARIABLES = (Object.keys(VARIABLES) as VariableName[]).filter((name) =>
  name.startsWith('TROUPE_REDIS_'),
);

/**
 * The TROUPE_DATABASE_* settings, validated: what a service passes to pg
 * (`new Pool({ ...loadDatabaseConnection(env), max })`). TROUPE_DATABASE_URL is required.
 */
export function loadDatabaseConnection(env: Environment = process.env): DatabaseConnection {
  const v = parseVariables(env, DATABASE_VARIABLES);
  if (v.TROUPE_DATABASE_URL === undefined)
    throw new ConfigError(
      'TROUPE_DATABASE_URL',
      `${VARIABLES.TROUPE_DATABASE_URL.expected} (it is not set)`,
    );
  return databaseConnection({
    url: v.TROUPE_DATABASE_URL,
    password: v.TROUPE_DATABASE_PASSWORD,
    ca: v.TROUPE_DATABASE_SSL_CA_FILE,
  });
}

const DATABASE_VARIABLES = (Object.keys(VARIABLES) as VariableName[]).filter((name) =>
  name.startsWith('TROUPE_DATABASE_'),
);

const KAFKA_VARIABLES = (Object.keys(VARIABLES) as VariableName[]).filter((name) =>
  name.startsWith('TROUPE_KAFKA_'),
);

/**
 * Only the TROUPE_KAFKA_* settings, validated as loadConfig validates them: how the CLI, the
 * registry and other tools reach the cluster exactly as services do (driver, TLS and SASL included).
 */
export function loadKafkaConnection(env: Environment = process.env): KafkaConnection {
  return assembleKafka(parseVariables(env, KAFKA_VARIABLES) as Parsed);
}

const REGISTRY_VARIABLES = (Object.keys(VARIABLES) as VariableName[]).filter(
  (name) => name.startsWith('TROUPE_SCHEMA_REGISTRY_') || name === 'TROUPE_SUBJECT_STRATEGY',
);

/**
 * Only the TROUPE_SCHEMA_REGISTRY_* settings (and TROUPE_SUBJECT_STRATEGY), validated as loadConfig
 * validates them: how the CLI and other tools reach the registry exactly as services do
 * (credentials and CA included). Undefined when TROUPE_SCHEMA_REGISTRY_URL is not set.
 */
export function loadSchemaRegistrySettings(
  env: Environment = process.env,
): TroupeConfig['schemaRegistry'] {
  return assembleRegistry(parseVariables(env, REGISTRY_VARIABLES) as Parsed);
}

/**
 * Only TROUPE_RETRY_TOPIC_DELAYS, validated as loadConfig validates it: the retry topics a
 * service will have, for tools that describe services without running them (the catalog).
 */
export function loadRetryTopicDelays(env: Environment = process.env): number[] {
  return parseVariables(env, ['TROUPE_RETRY_TOPIC_DELAYS']).TROUPE_RETRY_TOPIC_DELAYS ?? [];
}

/** Throws a ConfigError naming the first invalid variable of `names`; a secret is never quoted back. */
function parseVariables(env: Environment, names: readonly VariableName[]): Partial<Parsed> {
  const raw: Record<string, string | undefined> = {};
  for (const name of names) raw[name] = readVariable(env, name);
  const shape = Object.fromEntries(names.map((name) => [name, VARIABLES[name].schema]));
  const result = z.object(shape).safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration') as VariableName;
    const spec = VARIABLES[name];
    const found = raw[name];
    const expected = spec?.expected ?? 'a valid value';
    if (found === undefined) throw new ConfigError(name, `${expected} (it is not set)`);
    // A file setting says what is wrong with the file: the path and the problem, not its contents.
    if (spec && name.endsWith('_FILE') && issue?.code === 'custom')
      throw new ConfigError(name, expected, issue.message);
    if (spec && 'maskedUrl' in spec) throw new ConfigError(name, expected, maskUrlPassword(found));
    throw new ConfigError(name, expected, spec && 'secret' in spec ? '(redacted)' : found);
  }
  return result.data as Partial<Parsed>;
}

function assemble(v: Parsed): TroupeConfig {
  if (v.TROUPE_RETRY_BACKOFF_MAX < v.TROUPE_RETRY_BACKOFF_BASE) {
    throw new ConfigError(
      'TROUPE_RETRY_BACKOFF_MAX',
      `a duration >= TROUPE_RETRY_BACKOFF_BASE (${v.TROUPE_RETRY_BACKOFF_BASE}ms)`,
      `${v.TROUPE_RETRY_BACKOFF_MAX}ms`,
    );
  }
  return {
    kafka: assembleKafka(v),
    schemaRegistry: assembleRegistry(v),
    redis: assembleRedis(v),
    connectTimeoutMs: v.TROUPE_CONNECT_TIMEOUT,
    http: { port: v.TROUPE_HTTP_PORT, host: v.TROUPE_HTTP_HOST },
    logLevel: v.TROUPE_LOG_LEVEL,
    partitionConcurrency: v.TROUPE_PARTITION_CONCURRENCY,
    handlerTimeoutMs: v.TROUPE_HANDLER_TIMEOUT,
    retry: {
      attempts: v.TROUPE_RETRY_ATTEMPTS,
      backoffBaseMs: v.TROUPE_RETRY_BACKOFF_BASE,
      backoffMaxMs: v.TROUPE_RETRY_BACKOFF_MAX,
      topicDelaysMs: v.TROUPE_RETRY_TOPIC_DELAYS,
    },
    shutdownTimeoutMs: v.TROUPE_SHUTDOWN_TIMEOUT,
    instanceId: v.TROUPE_INSTANCE_ID,
  };
}

function assembleRegistry(v: Parsed): TroupeConfig['schemaRegistry'] {
  if (!v.TROUPE_SCHEMA_REGISTRY_URL) return undefined;
  return {
    url: v.TROUPE_SCHEMA_REGISTRY_URL,
    username: v.TROUPE_SCHEMA_REGISTRY_USERNAME,
    password: v.TROUPE_SCHEMA_REGISTRY_PASSWORD,
    ...(v.TROUPE_SCHEMA_REGISTRY_CA_FILE !== undefined
      ? { ca: v.TROUPE_SCHEMA_REGISTRY_CA_FILE }
      : {}),
    subjectStrategy: v.TROUPE_SUBJECT_STRATEGY,
  };
}

function assembleRedis(v: Parsed): RedisConnection | undefined {
  if (v.TROUPE_REDIS_URL === undefined) {
    const orphan = (['TROUPE_REDIS_PASSWORD', 'TROUPE_REDIS_TLS_CA_FILE'] as const).find(
      (name) => v[name] !== undefined,
    );
    if (orphan)
      throw new ConfigError(
        'TROUPE_REDIS_URL',
        `a redis:// or rediss:// URL when ${orphan} is set (it is not set)`,
      );
    return undefined;
  }
  return redisConnection({
    url: v.TROUPE_REDIS_URL,
    password: v.TROUPE_REDIS_PASSWORD,
    ca: v.TROUPE_REDIS_TLS_CA_FILE,
  });
}

function assembleKafka(v: Parsed): KafkaConnection {
  let sasl: TroupeConfig['kafka']['sasl'];
  const tokenFile = v.TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE;
  if (tokenFile !== undefined && v.TROUPE_KAFKA_SASL_MECHANISM !== 'oauthbearer')
    throw new ConfigError(
      'TROUPE_KAFKA_SASL_MECHANISM',
      'oauthbearer when TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE is set',
      v.TROUPE_KAFKA_SASL_MECHANISM ?? '(not set)',
    );
  if (v.TROUPE_KAFKA_SASL_MECHANISM === 'oauthbearer') {
    if (tokenFile === undefined)
      throw new ConfigError(
        'TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE',
        'a path to a file holding the token when TROUPE_KAFKA_SASL_MECHANISM is oauthbearer (it is not set)',
      );
    sasl = { mechanism: 'oauthbearer', token: oauthBearerToken(tokenFile) };
  } else if (v.TROUPE_KAFKA_SASL_MECHANISM) {
    if (!v.TROUPE_KAFKA_SASL_USERNAME)
      throw new ConfigError(
        'TROUPE_KAFKA_SASL_USERNAME',
        'a user name when TROUPE_KAFKA_SASL_MECHANISM is set',
      );
    if (!v.TROUPE_KAFKA_SASL_PASSWORD)
      throw new ConfigError(
        'TROUPE_KAFKA_SASL_PASSWORD',
        'a password (or TROUPE_KAFKA_SASL_PASSWORD_FILE) when TROUPE_KAFKA_SASL_MECHANISM is set',
      );
    sasl = {
      mechanism: v.TROUPE_KAFKA_SASL_MECHANISM,
      username: v.TROUPE_KAFKA_SASL_USERNAME,
      password: v.TROUPE_KAFKA_SASL_PASSWORD,
    };
  }
  return {
    brokers: v.TROUPE_KAFKA_BROKERS,
    clientId: v.TROUPE_KAFKA_CLIENT_ID,
    driver: v.TROUPE_KAFKA_DRIVER,
    ssl: assembleTls(v),
    sasl,
  };
}

const TLS_VARIABLES = [
  'TROUPE_KAFKA_SSL_CA_FILE',
  'TROUPE_KAFKA_SSL_CERT_FILE',
  'TROUPE_KAFKA_SSL_KEY_FILE',
  'TROUPE_KAFKA_SSL_REJECT_UNAUTHORIZED',
] as const;

/** TLS when TROUPE_KAFKA_SSL says so or any of TLS_VARIABLES is set; contradictions are refused. */
function assembleTls(v: Parsed): false | KafkaTls {
  const implied = TLS_VARIABLES.find((name) => v[name] !== undefined);
  if (v.TROUPE_KAFKA_SSL === false) {
    if (implied)
      throw new ConfigError('TROUPE_KAFKA_SSL', `true or unset when ${implied} is set`, 'false');
    return false;
  }
  if (!v.TROUPE_KAFKA_SSL && !implied) return false;
  const cert = v.TROUPE_KAFKA_SSL_CERT_FILE;
  const key = v.TROUPE_KAFKA_SSL_KEY_FILE;
  if (cert !== undefined && key === undefined)
    throw new ConfigError(
      'TROUPE_KAFKA_SSL_KEY_FILE',
      'the private key of TROUPE_KAFKA_SSL_CERT_FILE (it is not set)',
    );
  if (key !== undefined && cert === undefined)
    throw new ConfigError(
      'TROUPE_KAFKA_SSL_CERT_FILE',
      'the certificate of TROUPE_KAFKA_SSL_KEY_FILE (it is not set)',
    );
  const tls: KafkaTls = { rejectUnauthorized: v.TROUPE_KAFKA_SSL_REJECT_UNAUTHORIZED ?? true };
  if (v.TROUPE_KAFKA_SSL_CA_FILE !== undefined) tls.ca = v.TROUPE_KAFKA_SSL_CA_FILE;
  if (cert !== undefined && key !== undefined) Object.assign(tls, { cert, key });
  return tls;
}
