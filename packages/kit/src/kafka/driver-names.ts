import { ConfigError } from '../errors';

/**
 * The drivers TROUPE_KAFKA_DRIVER may name; kafkajs is the default. platformatic
 * (@platformatic/kafka) needs Node.js >= 22.22, checked when the driver is created.
 */
export const KAFKA_DRIVERS = ['kafkajs', 'platformatic'] as const;
export type KafkaDriverName = (typeof KAFKA_DRIVERS)[number];

export const KAFKA_DRIVER_VARIABLE = 'TROUPE_KAFKA_DRIVER';

/** A TROUPE_KAFKA_DRIVER value, checked: unset or empty is kafkajs; anything unknown is a ConfigError naming the accepted values. */
export function parseKafkaDriverName(text: string | undefined): KafkaDriverName {
  if (text === undefined || text.trim() === '') return 'kafkajs';
  const name = text.trim();
  if ((KAFKA_DRIVERS as readonly string[]).includes(name)) return name as KafkaDriverName;
  throw new ConfigError(KAFKA_DRIVER_VARIABLE, KAFKA_DRIVERS.join(' | '), text);
}
