import { Kafka, KafkaConfig, SASLOptions, logLevel } from 'kafkajs';
import type { KafkaAdmin } from '../admin';
import type { DriverOptions, KafkaConnection, KafkaSasl } from '../connection';
import type { ConsumerOptions, GroupConsumer } from '../consumer';
import type { KafkaDriver } from '../driver';
import type { ProducerOptions, RecordProducer } from '../producer';
import { KafkajsAdmin } from './admin';
import { KafkajsGroupConsumer } from './consumer';
import { pinoLogCreator } from './log';
import { ignoreKafkajsNegativeTimeoutWarning } from './negative-timeout-warning';
import { KafkajsProducer } from './producer';
import { deliveryRetry } from './delivery-retry';
import { DEFAULT_DELIVERY_TIMEOUT_MS } from '../producer';
import { KafkajsClient, TimedOutConnections } from './timed-out-connections';

/**
 * Troupe's default driver: kafkajs (pure JavaScript, the classic consumer-group protocol). Logs
 * warnings and errors only: kafkajs is chatty at info, one line per rebalance step.
 */
export class KafkajsDriver implements KafkaDriver {
  readonly name = 'kafkajs';
  private readonly config: KafkaConfig;
  /** Retries limited on purpose (DriverOptions.retries): producers keep that limit too. */
  private readonly retriesLimited: boolean;

  constructor(connection: KafkaConnection, options: DriverOptions) {
    const config: KafkaConfig = {
      clientId: connection.clientId ?? options.clientId,
      brokers: connection.brokers,
      // kafkajs passes the object to tls.connect as it is (and names the server for a host name).
      ssl: connection.ssl === false ? false : { ...connection.ssl },
      connectionTimeout: options.connectionTimeoutMs ?? 5_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      logLevel: options.logger ? logLevel.WARN : logLevel.NOTHING,
      logCreator: options.logger ? pinoLogCreator(options.logger) : undefined,
    };
    if (connection.sasl) config.sasl = kafkajsSasl(connection.sasl);
    // kafkajs reads the client's retry settings for connecting too, so they apply to every part.
    if (options.retries !== undefined)
      config.retry = { retries: options.retries, initialRetryTime: 200, maxRetryTime: 2_000 };
    this.retriesLimited = options.retries !== undefined;
    this.config = config;
    // kafkajs's request queue sets negative timeouts, which Node 23+ warns about on stderr.
    ignoreKafkajsNegativeTimeoutWarning();
  }

  consumer(options: ConsumerOptions): GroupConsumer {
    return new KafkajsGroupConsumer(this.client(), options);
  }

  producer(options: ProducerOptions = {}): RecordProducer {
    // A client of its own whose retries last the delivery timeout: kafkajs reconnects a producer
    // to a cluster it lost through the client's retries, not the producer's, and once those are
    // spent the send fails however many of its own remain. (Every kafkajs producer has its own
    // connections anyway.)
    const client = this.client(
      this.retriesLimited
        ? undefined
        : deliveryRetry(options.deliveryTimeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS),
    );
    return new KafkajsProducer(client, () => this.listTopics(), options);
  }

  admin(): KafkaAdmin {
    return new KafkajsAdmin(this.client());
  }

  /**
   * A kafkajs client for one part (consumer, producer or admin), whose connections are closed
   * when a request on them times out (TimedOutConnections). kafkajs gives each part connections
   * of its own anyway, so a client each costs nothing.
   */
  private client(retry: KafkaConfig['retry'] = this.config.retry): KafkajsClient {
    const connections = new TimedOutConnections();
    return {
      kafka: new Kafka({ ...this.config, retry, socketFactory: connections.socketFactory }),
      connections,
    };
  }

  private async listTopics(): Promise<string[]> {
    const admin = this.admin();
    await admin.connect();
    try {
      return await admin.listTopics();
    } finally {
      await admin.disconnect();
    }
  }
}

function kafkajsSasl(sasl: KafkaSasl): SASLOptions {
  if (sasl.mechanism === 'oauthbearer') {
    const { token } = sasl;
    return {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: await token() }),
    };
  }
  // kafkajs types the user-and-password mechanisms as a union; ours carry the same three fields.
  return { ...sasl } as SASLOptions;
}
