import { createKafkaDriver, type KafkaConnection, type KafkaDriver } from '@troupe/kit';
import type { Logger } from 'pino';
import { parseBrokers } from '../config';

/**
 * The registry's Kafka client: the caller's driver as it is, or one made from connection settings
 * (as loadKafkaConnection reads them, TLS and SASL included) with the registry's own name and
 * timeouts. Its kafkajs log lines go to `logger` (warnings and errors, under component kafkajs).
 */
export function registryDriver(kafka: KafkaConnection | KafkaDriver, logger: Logger): KafkaDriver {
  if (isDriver(kafka)) return kafka;
  return createKafkaDriver(
    { ...kafka, brokers: parseBrokers('kafka.brokers', kafka.brokers) },
    {
      clientId: 'troupe-registry',
      logger,
      connectionTimeoutMs: 5_000,
      // Every request is on the path of an HTTP request: fail it rather than hang the client.
      requestTimeoutMs: 10_000,
      // No `retries`: the driver's default (kafkajs: 5) is what the registry always had, and
      // setting it makes kafkajs warn on stderr that the idempotent producer's retries are limited.
    },
  );
}

function isDriver(kafka: KafkaConnection | KafkaDriver): kafka is KafkaDriver {
  return typeof (kafka as Partial<KafkaDriver>).producer === 'function';
}
