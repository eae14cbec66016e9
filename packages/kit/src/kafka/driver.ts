import type { KafkaAdmin } from './admin';
import type { ConsumerOptions, GroupConsumer } from './consumer';
import type { ProducerOptions, RecordProducer } from './producer';

/**
 * A Kafka client library behind Troupe's port: one per process is enough (it holds the connection
 * settings, not connections). Everything Troupe does with Kafka goes through a driver, so the
 * runtime, the relays, the CLI and the registry run unchanged on any of them.
 */
export interface KafkaDriver {
  /** The driver's name, as TROUPE_KAFKA_DRIVER selects it (e.g. "kafkajs"). */
  readonly name: string;
  consumer(options: ConsumerOptions): GroupConsumer;
  producer(options?: ProducerOptions): RecordProducer;
  admin(): KafkaAdmin;
}
