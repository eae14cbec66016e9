import type { DriverOptions, KafkaConnection } from './connection';
import type { KafkaDriver } from './driver';
import { KafkajsDriver } from './kafkajs/driver';

/**
 * The driver the connection settings name (kafkajs unless `driver` says otherwise): the one place
 * a part of Troupe turns settings into a client (services, relays, CLI, registry, testkit).
 */
export function createKafkaDriver(
  connection: KafkaConnection,
  options: DriverOptions,
): KafkaDriver {
  switch (connection.driver ?? 'kafkajs') {
    case 'kafkajs':
      return new KafkajsDriver(connection, options);
  }
}
