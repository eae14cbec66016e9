import { ConfigError, TroupeError, isBrokerAddress } from '@troupe/kit';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { CliContext } from '../context';

/**
 * Kafka access shared by `troupe topics`, `troupe dlq` and `troupe trace`: brokers from
 * `--brokers` or TROUPE_KAFKA_BROKERS, a client that gives up quickly on a broker it cannot
 * reach (a CLI should say so in seconds, not hang), and kafkajs errors turned into one line.
 */
export const BROKERS_VARIABLE = 'TROUPE_KAFKA_BROKERS';

/** Connection timeout per attempt; with RETRIES, an unreachable broker fails in about a second. */
const CONNECTION_TIMEOUT_MS = 3_000;
const REQUEST_TIMEOUT_MS = 15_000;
const RETRIES = 2;

/** The brokers from `--brokers`, else TROUPE_KAFKA_BROKERS, checked for host:port form. */
export function resolveBrokers(flag: string | undefined, context: CliContext): string[] {
  const source = flag !== undefined ? '--brokers' : BROKERS_VARIABLE;
  const text = flag ?? context.env[BROKERS_VARIABLE];
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

export function kafkaClient(brokers: string[], clientId = 'troupe-cli'): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    retry: { retries: RETRIES, initialRetryTime: 200, maxRetryTime: 2_000 },
  });
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
 * Rewrites a connection failure (possibly wrapped by kafkajs' retrier) as KafkaUnreachableError;
 * anything else is returned unchanged.
 */
export function explainKafkaError(error: unknown, brokers: string[]): unknown {
  if (!(error instanceof Error) || error instanceof TroupeError) return error;
  // kafkajs wraps the socket error (KafkaJSNumberOfRetriesExceeded, KafkaJSNonRetriableError):
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
  kafka: Kafka;
  /** Connected for the session's lifetime. */
  admin: Admin;
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
  const kafka = kafkaClient(brokers);
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
