import type { KafkaRelease } from '@troupe/devstack';

/**
 * Confluent Platform's release for each Kafka line the devstack runs: CP 8.x ships Kafka 4.x
 * (8.4 is Kafka 4.4) and CP 7.9 is Kafka 3.9, so TROUPE_KAFKA_VERSION picks the same broker in
 * containers as in the devstack. Confluent's images and not apache/kafka: @testcontainers/kafka's
 * KafkaContainer starts the broker through Confluent's /etc/confluent/docker/run and reads the tag
 * as a Confluent version (KRaft from 7.0.0 on, by itself from 8.0.0), so it cannot run apache/kafka.
 */
const CONFLUENT_PLATFORM: Record<string, string> = {
  '4.4': '8.4.0',
  '3.9': '7.9.0',
};

export interface ContainerImages {
  kafka: string;
  schemaRegistry: string;
  redis: string;
  postgres: string;
}

/** The images for `release`; the default release's are the ones docker-compose.yml runs. */
export function containerImages(release: KafkaRelease): ContainerImages {
  const platform = CONFLUENT_PLATFORM[release.line];
  if (!platform) throw new Error(`no Confluent Platform image is known for Kafka ${release.line}`);
  return {
    kafka: `confluentinc/cp-kafka:${platform}`,
    // The registry of the same Confluent Platform release, which its broker was tested with.
    schemaRegistry: `confluentinc/cp-schema-registry:${platform}`,
    redis: 'redis:7.4-alpine',
    postgres: 'postgres:16-alpine',
  };
}
