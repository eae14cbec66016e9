import { Socket } from 'node:net';
import pino from 'pino';
import type { SchemaRegistryClient } from '../codec/registry-client';
import type { TroupeConfig } from '../config/service-config';
import { TroupeError } from '../errors';
import { createKafkaDriver } from '../kafka/create-driver';
import type { Redis } from 'ioredis';
import { TimeoutError } from './timers';

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
  redis?: Redis;
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
  if (probe.redis) checks.push(probeRedis(probe.redis, probe.timeoutMs));
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
      async () => fail(await whyNoBrokerAnswers(brokers, Math.min(timeoutMs, 2_000))),
      (error) => fail(error instanceof Error ? error.message : String(error)),
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
      const code = socketErrorCode(error);
      if (code) return fail(describeSocketError({ code } as NodeJS.ErrnoException));
      // The client's message starts with "schema registry GET <url>/subjects: "; keep the reason.
      return fail((error instanceof Error ? error.message : String(error)).replace(/^.*?: /, ''));
    },
  );
}

async function probeRedis(redis: Redis, timeoutMs: number): Promise<void> {
  const { host, port } = redis.options;
  const fail = (reason: string) =>
    new UnreachableError('Redis', `${host}:${port}`, 'TROUPE_REDIS_URL', timeoutMs, reason);
  await deadline(
    redis.ping(),
    timeoutMs,
    async () => fail('no answer'),
    (error) => fail(error instanceof Error ? error.message : String(error)),
  );
}

/** Runs `work` against a deadline; maps a timeout and a failure to the errors to throw. */
async function deadline<T>(
  work: Promise<T>,
  ms: number,
  onTimeout: () => Promise<Error>,
  onFailure: (error: unknown) => Error,
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
    throw onFailure(error);
  } finally {
    clearTimeout(timer);
  }
}

/** After a timeout, a plain TCP connect to each bootstrap broker says why (refused, unknown host…). */
async function whyNoBrokerAnswers(brokers: readonly string[], ms: number): Promise<string> {
  const reasons = await Promise.all(brokers.map((broker) => tcpConnectError(broker, ms)));
  const failures = reasons.filter((r): r is string => r !== undefined);
  if (failures.length < brokers.length)
    return 'a broker accepts connections but does not answer as Kafka (TLS or SASL settings? TROUPE_KAFKA_SSL, TROUPE_KAFKA_SASL_MECHANISM)';
  return [...new Set(failures)].join('; ');
}

function tcpConnectError(broker: string, ms: number): Promise<string | undefined> {
  const at = broker.lastIndexOf(':');
  const host = broker.slice(0, at).replace(/^\[|\]$/g, '');
  const port = Number(broker.slice(at + 1));
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
function socketErrorCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function describeSocketError(error: NodeJS.ErrnoException): string {
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
