import { Socket, isIP } from 'node:net';
import { connect as connectTls } from 'node:tls';
import pino from 'pino';
import type { SchemaRegistryClient } from '../codec/registry-client';
import type { TroupeConfig } from '../config/service-config';
import { ConfigError, TroupeError } from '../errors';
import type { KafkaConnection, KafkaTls } from '../kafka/connection';
import { createKafkaDriver } from '../kafka/create-driver';
import { expiredBearerToken } from './bearer-token';
import { TimeoutError } from './timers';
import { certificateProblem, KAFKA_TLS, REGISTRY_TLS } from './tls-problem';

/**
 * A server the service needs did not answer before TROUPE_CONNECT_TIMEOUT: the message names the
 * server, its address (never credentials) and the setting that points at it.
 */
export class UnreachableError extends TroupeError {
  constructor(server: string, address: string, setting: string, withinMs: number, reason: string) {
    super(
      'UNREACHABLE',
      `cannot reach ${server} at ${address} (${setting}) within ${formatMs(withinMs)}: ${reason}`,
    );
  }
}

/** What runService checks before starting, each within `timeoutMs`, all at once. */
export interface DependencyProbe {
  config: TroupeConfig;
  clientId: string;
  registry?: SchemaRegistryClient;
  /** Checks of the stores the service uses (store-probes.ts), run alongside these. */
  stores?: Promise<void>[];
  timeoutMs: number;
}

/**
 * Resolves when Kafka (and the registry and Redis, when given) answer; rejects with the first
 * UnreachableError otherwise. The drivers retry a refused connection for a quarter of a minute,
 * logging each attempt; this asks once, quietly, so a wrong address is one line within the timeout.
 */
export async function probeDependencies(probe: DependencyProbe): Promise<void> {
  const checks = [probeKafka(probe)];
  if (probe.registry) checks.push(probeRegistry(probe.registry, probe.timeoutMs));
  checks.push(...(probe.stores ?? []));
  const results = await Promise.allSettled(checks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function probeKafka({ config, clientId, timeoutMs }: DependencyProbe): Promise<void> {
  const brokers = config.kafka.brokers;
  const fail = (reason: string) =>
    new UnreachableError('Kafka', brokers.join(','), 'TROUPE_KAFKA_BROKERS', timeoutMs, reason);
  const driver = createKafkaDriver(config.kafka, {
    clientId: `${clientId}-probe`,
    logger: pino({ level: 'silent' }),
  });
  const admin = driver.admin();
  try {
    await deadline(
      admin.connect().then(() => admin.describeCluster()),
      timeoutMs,
      async () => fail(await whyNoBrokerAnswers(config.kafka, Math.min(timeoutMs, 2_000))),
      async (error) => fail(await describeKafkaFailure(error, config.kafka, timeoutMs)),
    );
  } finally {
    void admin.disconnect().catch(() => undefined);
  }
}

async function probeRegistry(registry: SchemaRegistryClient, timeoutMs: number): Promise<void> {
  const fail = (reason: string) =>
    new UnreachableError(
      'the schema registry',
      registry.url,
      'TROUPE_SCHEMA_REGISTRY_URL',
      timeoutMs,
      reason,
    );
  await deadline(
    registry.subjects(AbortSignal.timeout(timeoutMs)),
    timeoutMs,
    async () => fail('no answer'),
    (error) => {
      const certificate = errorChain(error)
        .map((e) => certificateProblem(e, REGISTRY_TLS))
        .find((reason) => reason !== undefined);
      if (certificate) return fail(certificate);
      const code = socketErrorCode(error);
      if (code) return fail(describeSocketError({ code } as NodeJS.ErrnoException));
      // The client's message starts with "schema registry GET <url>/subjects: "; keep the reason.
      return fail((error instanceof Error ? error.message : String(error)).replace(/^.*?: /, ''));
    },
  );
}

/** Runs `work` against a deadline; maps a timeout and a failure to the errors to throw. */
export async function deadline<T>(
  work: Promise<T>,
  ms: number,
  onTimeout: () => Promise<Error>,
  onFailure: (error: unknown) => Error | Promise<Error>,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), ms);
  });
  try {
    const outcome = await Promise.race([work.then(() => 'answered' as const), expired]);
    if (outcome === 'expired') throw await onTimeout();
  } catch (error) {
    if (error instanceof UnreachableError) throw error;
    if (error instanceof TimeoutError) throw await onTimeout();
    throw await onFailure(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A driver's failure as one reason: a refused SASL login or an untrusted certificate named with
 * the settings to fix, anything else as the driver's message. Never a password: none of the
 * drivers' messages quote one, and the SASL reason names only the user.
 */
async function describeKafkaFailure(
  error: unknown,
  kafka: KafkaConnection,
  timeoutMs: number,
): Promise<string> {
  // A plaintext client's first request to a TLS listener fails in a driver's own way (a closed
  // connection, a SASL handshake that never parses): a handshake of our own tells.
  if (!kafka.ssl && (await speaksTls(kafka.brokers[0]!, Math.min(timeoutMs, 2_000))))
    return PLAINTEXT_TO_TLS;
  const chain = errorChain(error);
  const certificate = chain
    .map((e) => certificateProblem(e))
    .find((reason) => reason !== undefined);
  if (certificate) return certificate;
  const expired = await expiredToken(kafka);
  if (expired) return expired;
  // The bearer token's file went away or emptied after config load: its ConfigError says so.
  const unreadableToken = chain.find((cause) => cause instanceof ConfigError);
  if (unreadableToken) return (unreadableToken as ConfigError).message;
  if (kafka.sasl && chain.some(isSaslAuthenticationFailure)) {
    if (kafka.sasl.mechanism === 'oauthbearer')
      return 'SASL authentication failed (oauthbearer): the broker refused the token (expired, or not for this cluster?): check TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE';
    const { username, mechanism } = kafka.sasl;
    return `SASL authentication failed for user ${username} (${mechanism}): check TROUPE_KAFKA_SASL_USERNAME and TROUPE_KAFKA_SASL_PASSWORD`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** The error, its causes and, for aggregates (@platformatic/kafka's MultipleErrors), their members. */
export function errorChain(error: unknown): unknown[] {
  const found: unknown[] = [];
  const visit = (current: unknown, depth: number) => {
    if (!current || typeof current !== 'object' || depth > 5 || found.includes(current)) return;
    found.push(current);
    visit((current as { cause?: unknown }).cause, depth + 1);
    const members = (current as { errors?: unknown }).errors;
    if (Array.isArray(members)) for (const member of members) visit(member, depth + 1);
  };
  visit(error, 0);
  return found;
}

function isSaslAuthenticationFailure(error: unknown): boolean {
  const { name, code, apiCode, message } = error as Record<string, unknown>;
  return (
    name === 'KafkaJSSASLAuthenticationError' ||
    code === 'PLT_KFK_AUTHENTICATION' ||
    apiCode === 'SASL_AUTHENTICATION_FAILED' ||
    (typeof message === 'string' && /authentication failed/i.test(message))
  );
}

/**
 * After a timeout, a plain TCP connect to each bootstrap broker says why (refused, unknown
 * host…). When one accepts, a TLS handshake says whether TLS is what is wrong: a certificate this
 * client does not trust, or a TLS listener answering a plaintext client.
 */
async function whyNoBrokerAnswers(kafka: KafkaConnection, ms: number): Promise<string> {
  const brokers = kafka.brokers;
  const reasons = await Promise.all(brokers.map((broker) => tcpConnectError(broker, ms)));
  const failures = reasons.filter((r): r is string => r !== undefined);
  if (failures.length < brokers.length) {
    const accepting = brokers[reasons.indexOf(undefined)]!;
    const handshake = await tlsHandshake(accepting, kafka.ssl || { rejectUnauthorized: false }, ms);
    if (kafka.ssl && handshake.error) {
      const certificate = certificateProblem(handshake.error, KAFKA_TLS);
      if (certificate) return certificate;
    }
    if (!kafka.ssl && handshake.error === undefined) return PLAINTEXT_TO_TLS;
    const expired = await expiredToken(kafka);
    if (expired) return expired;
    if (kafka.sasl?.mechanism === 'oauthbearer')
      return 'a broker accepts connections but does not answer as Kafka (a refused token? TROUPE_KAFKA_SASL_OAUTHBEARER_TOKEN_FILE)';
    return 'a broker accepts connections but does not answer as Kafka (TLS or SASL settings? TROUPE_KAFKA_SSL, TROUPE_KAFKA_SASL_MECHANISM)';
  }
  return [...new Set(failures)].join('; ');
}

/**
 * Drivers report a refused bearer token as a dropped connection or an odd SASL state, not as an
 * authentication failure; an expired JWT is told from the token.
 */
async function expiredToken(kafka: KafkaConnection): Promise<string | undefined> {
  if (kafka.sasl?.mechanism !== 'oauthbearer') return undefined;
  const token = await kafka.sasl.token().catch(() => undefined);
  return token === undefined ? undefined : expiredBearerToken(token);
}

const PLAINTEXT_TO_TLS =
  'the broker speaks TLS and this client does not: set TROUPE_KAFKA_SSL=true (and TROUPE_KAFKA_SSL_CA_FILE for a private CA)';

async function speaksTls(broker: string, ms: number): Promise<boolean> {
  const { error } = await tlsHandshake(broker, { rejectUnauthorized: false }, ms);
  return error === undefined;
}

/** A TLS handshake with `broker`: `error` is undefined when it completed, `timeout` when it did not finish. */
export function tlsHandshake(
  broker: string,
  tls: KafkaTls,
  ms: number,
): Promise<{ error?: unknown }> {
  const { host, port } = hostAndPort(broker);
  return new Promise((resolve) => {
    const socket = connectTls({
      host,
      port,
      ...(isIP(host) ? {} : { servername: host }),
      ...tls,
    });
    const done = (error?: unknown) => {
      socket.destroy();
      resolve({ error });
    };
    socket.setTimeout(ms, () => done('timeout'));
    socket.once('error', (error) => done(error));
    socket.once('secureConnect', () => {
      // In TLS 1.3 a server checks the client's certificate after the client's side of the
      // handshake is over, and refuses it with an alert a moment later: wait for that alert.
      if (tls.cert === undefined) done();
      else setTimeout(() => done(), Math.min(ms, CLIENT_CERTIFICATE_VERDICT_MS));
    });
  });
}

/** How long a server that refuses a client certificate takes, at most, to say so after the handshake. */
const CLIENT_CERTIFICATE_VERDICT_MS = 500;

function hostAndPort(broker: string): { host: string; port: number } {
  const at = broker.lastIndexOf(':');
  return { host: broker.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(broker.slice(at + 1)) };
}

function tcpConnectError(broker: string, ms: number): Promise<string | undefined> {
  const { host, port } = hostAndPort(broker);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (reason?: string) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(ms, () => done('no answer'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(describeSocketError(error)));
    socket.connect(port, host, () => done());
  });
}

/** The system error code (ECONNREFUSED…) somewhere in an error's cause chain, as fetch nests it. */
export function socketErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function describeSocketError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return error.code ?? error.message;
  }
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
