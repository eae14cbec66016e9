// Relative imports, not @troupe/kit: the benches run the sources without a build.
import { loadConfig, type TroupeConfig } from '../packages/kit/src/config/service-config';
import type { NewTopic } from '../packages/kit/src/kafka/admin';
import { createKafkaDriver } from '../packages/kit/src/kafka/create-driver';
import type { KafkaDriver } from '../packages/kit/src/kafka/driver';

/**
 * The config of Troupe's side of a bench: the given brokers, and the driver TROUPE_KAFKA_DRIVER
 * names (kafkajs unless set), as a service reading its environment would choose it. The raw
 * baselines are that driver's own client library used directly (bench/raw-clients.ts).
 */
export function benchConfig(brokers: readonly string[]): TroupeConfig {
  return loadConfig({
    TROUPE_KAFKA_BROKERS: brokers.join(','),
    TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER,
    TROUPE_LOG_LEVEL: 'silent',
  });
}

/** A driver for Troupe's side of a bench (publishers, relays, topic setup). */
export function benchDriver(brokers: readonly string[], clientId: string): KafkaDriver {
  return createKafkaDriver(benchConfig(brokers).kafka, { clientId });
}

/** Creates the topics (resolves once every partition has a leader). */
export async function createBenchTopics(
  kafka: KafkaDriver,
  topics: readonly NewTopic[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics(topics);
  } finally {
    await admin.disconnect();
  }
}

/** Deletes the topics, ignoring any that is not there. */
export async function deleteBenchTopics(
  kafka: KafkaDriver,
  topics: readonly string[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics(topics).catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
