import type { DriverOptions, KafkaConnection } from './connection';
import type { KafkaDriver } from './driver';
import { KafkajsDriver } from './kafkajs/driver';
import { loadPlatformaticDriver } from './load-platformatic';

/**
 * The driver the connection settings name (kafkajs unless `driver` says otherwise): the one place
 * a part of Troupe turns settings into a client (services, relays, CLI, registry, testkit).
 * The platformatic driver is loaded only when named (see loadPlatformaticDriver).
 */
export function createKafkaDriver(
  connection: KafkaConnection,
  options: DriverOptions,
): KafkaDriver {
  switch (connection.driver ?? 'kafkajs') {
    case 'kafkajs':
      return new KafkajsDriver(connection, options);
    case 'platformatic': {
      const PlatformaticDriver = loadPlatformaticDriver();
      return new PlatformaticDriver(connection, options);
    }
  }
}
