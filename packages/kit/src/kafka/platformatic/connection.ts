import type { BaseOptions } from '@platformatic/kafka';
import type { DriverOptions, KafkaConnection, KafkaSasl } from '../connection';

/** The port's SASL mechanisms under the names @platformatic/kafka expects. */
const SASL_MECHANISMS = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
  oauthbearer: 'OAUTHBEARER',
} as const satisfies Record<KafkaSasl['mechanism'], string>;

/**
 * The client options every @platformatic/kafka client of a driver shares (producer, admin,
 * consumer), with the kafkajs adapter's defaults: 5 s per connection attempt, 30 s per request.
 * Topics are never created by metadata requests. The library logs through `debug`
 * (DEBUG=plt:kafka:*) and offers no logger hook, so DriverOptions.logger is not wired.
 */
export function platformaticBaseOptions(
  connection: KafkaConnection,
  options: DriverOptions,
): BaseOptions {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const base: BaseOptions = {
    clientId: connection.clientId ?? options.clientId,
    bootstrapBrokers: connection.brokers,
    connectTimeout: options.connectionTimeoutMs ?? 5_000,
    requestTimeout: requestTimeoutMs,
    // `timeout` is what the library asks the broker to wait (acks=all on produce, topic creation
    // and deletion): the request timeout, as the Java client does, instead of the library's 5 s.
    timeout: requestTimeoutMs,
    autocreateTopics: false,
  };
  // The library hands `tls` to tls.connect; Node names the server (SNI, identity check) by its host.
  if (connection.ssl !== false) base.tls = { ...connection.ssl };
  const sasl = connection.sasl;
  if (sasl?.mechanism === 'oauthbearer')
    // The library asks the provider at each authentication, as kafkajs does.
    base.sasl = { mechanism: SASL_MECHANISMS.oauthbearer, token: () => sasl.token() };
  else if (sasl) {
    const { mechanism, username, password } = sasl;
    base.sasl = { mechanism: SASL_MECHANISMS[mechanism], username, password };
  }
  if (options.retries !== undefined) {
    base.retries = options.retries;
    // As the kafkajs adapter: a caller that limits retries wants to fail fast, so back off from
    // 200 ms to at most 2 s instead of the library's fixed 1 s.
    base.retryDelay = (_client, _operation, attempt) => Math.min(200 * 2 ** (attempt - 1), 2_000);
  }
  return base;
}
