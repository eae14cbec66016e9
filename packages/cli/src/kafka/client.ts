import {
  ConfigError,
  TroupeError,
  createKafkaDriver,
  loadKafkaConnection,
  readVariable,
  type KafkaConnection,
  type KafkaDriver,
} from '@troupe/kit';
import { isBrokerAddress, type KafkaAdmin } from '@troupe/kit/internal';
import type { CliContext } from '../context';

/**
 * Kafka access shared by `troupe topics`, `troupe dlq` and `troupe trace`: brokers from
 * `--brokers` or TROUPE_KAFKA_BROKERS, every other connection setting (driver, TLS, SASL) from
 * TROUPE_KAFKA_* as services read them, a client that gives up quickly on a broker it cannot
 * reach (a CLI should say so in seconds, not hang), and connection failures turned into one line.
 */
export const BROKERS_VARIABLE = 'TROUPE_KAFKA_BROKERS';

/** Connection timeout per attempt and few retries: an unreachable broker fails in about a second. */
const DRIVER_OPTIONS = {
  clientId: 'troupe-cli',
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 15_000,
  retries: 2,
};

/** The brokers from `--brokers`, else TROUPE_KAFKA_BROKERS (or its _FILE), checked for host:port form. */
export function resolveBrokers(flag: string | undefined, context: CliContext): string[] {
  const source = flag !== undefined ? '--brokers' : BROKERS_VARIABLE;
  const text = flag ?? readVariable(context.env, BROKERS_VARIABLE);
  const expected = 'Kafka brokers as host:port[,host:port…] (or pass --brokers)';
  if (text === undefined || text.trim() === '') throw new ConfigError(source, expected);
  const brokers = text
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0 || !brokers.every(isBrokerAddress))
    throw new ConfigError(source, expected, text);
  return brokers;
}

/**
 * The services' connection settings (loadKafkaConnection: TROUPE_KAFKA_DRIVER, _SSL, _SASL_*,
 * _CLIENT_ID), with `brokers` in place of TROUPE_KAFKA_BROKERS: they may come from --brokers,
 * and were checked by resolveBrokers with the CLI's own message.
 */
export function kafkaConnection(brokers: string[], context: CliContext): KafkaConnection {
  return loadKafkaConnection({
    ...context.env,
    [BROKERS_VARIABLE]: brokers.join(','),
    [`${BROKERS_VARIABLE}_FILE`]: undefined,
  });
}

export function kafkaDriver(brokers: string[], context: CliContext): KafkaDriver {
  return createKafkaDriver(kafkaConnection(brokers, context), DRIVER_OPTIONS);
}

/** Kafka could not be reached or stopped answering. */
export class KafkaUnreachableError extends TroupeError {
  constructor(brokers: string[], detail: string, options?: { cause?: unknown }) {
    super(
      'KAFKA_UNREACHABLE',
      `cannot reach Kafka at ${brokers.join(',')} (${detail}); check --brokers or ${BROKERS_VARIABLE}`,
      options,
    );
  }
}

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSLockTimeout',
]);

/**
 * Rewrites a connection failure (possibly wrapped by the client library's retrier) as
 * KafkaUnreachableError; anything else is returned unchanged. The port does not classify errors,
 * so this knows kafkajs' error names (strings only: the CLI does not depend on kafkajs) and the
 * socket errors' codes, which any driver's messages carry.
 */
export function explainKafkaError(error: unknown, brokers: string[]): unknown {
  if (!(error instanceof Error) || error instanceof TroupeError) return error;
  // Retriers wrap the socket error (kafkajs: KafkaJSNumberOfRetriesExceeded, KafkaJSNonRetriableError):
  // the innermost error says what happened.
  let underlying: Error = error;
  for (let depth = 0; depth < 5 && underlying.cause instanceof Error; depth++)
    underlying = underlying.cause;
  if (
    CONNECTION_ERRORS.has(underlying.name) ||
    /Connection error|Closed connection|ECONNREFUSED|ENOTFOUND|ETIMEDOUT/.test(underlying.message)
  ) {
    return new KafkaUnreachableError(brokers, underlying.message, { cause: error });
  }
  return error;
}

export interface KafkaSession {
  brokers: string[];
  kafka: KafkaDriver;
  /** Connected for the session's lifetime. */
  admin: KafkaAdmin;
}

/**
 * Connects an admin client, runs `work`, disconnects whatever happens, and explains
 * connection failures in one line.
 */
export async function withKafka<T>(
  brokerFlag: string | undefined,
  context: CliContext,
  work: (session: KafkaSession) => Promise<T>,
): Promise<T> {
  const brokers = resolveBrokers(brokerFlag, context);
  const kafka = kafkaDriver(brokers, context);
  const admin = kafka.admin();
  try {
    await admin.connect();
    return await work({ brokers, kafka, admin });
  } catch (error) {
    throw explainKafkaError(error, brokers);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Kafka's internal topics (`__consumer_offsets`) and other underscore-prefixed system topics. */
export function isInternalTopic(name: string): boolean {
  return name.startsWith('_');
}

/** A topic the command was asked about does not exist on the cluster. */
export class UnknownTopicError extends TroupeError {
  constructor(
    readonly topics: string[],
    brokers: string[],
  ) {
    super(
      'TOPIC_UNKNOWN',
      `unknown topic${topics.length > 1 ? 's' : ''} ${topics.map((t) => `"${t}"`).join(', ')}: ` +
        `expected ${topics.length > 1 ? 'them' : 'it'} on the cluster at ${brokers.join(',')} (see troupe topics list)`,
    );
  }
}

/**
 * Fails unless every topic exists. Checked with listTopics before anything else touches the
 * topics: a metadata request for a missing topic makes a broker with auto.create.topics.enable
 * create it, so a typo would silently become a new empty topic.
 */
export async function requireTopics(session: KafkaSession, topics: string[]): Promise<void> {
  const existing = new Set(await session.admin.listTopics());
  const unknown = topics.filter((topic) => !existing.has(topic));
  if (unknown.length > 0) throw new UnknownTopicError(unknown, session.brokers);
}
