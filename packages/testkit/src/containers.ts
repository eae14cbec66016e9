import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import { GenericContainer, Network, Wait } from 'testcontainers';
import { kafkaRelease } from '@troupe/devstack';
import type { StackSettings } from '@troupe/devstack';
import { containerImages } from './images';

export interface ContainerStack {
  settings: StackSettings;
  stop(): Promise<void>;
}

/**
 * Kafka (KRaft), Confluent Schema Registry, Redis and PostgreSQL in containers on one network.
 * Nothing here names a Docker host: every container goes through testcontainers'
 * `getContainerRuntimeClient()` (the @testcontainers/* modules share the one testcontainers
 * installed), the same detection on the same settings that `probeContainerRuntime()` ran before
 * choosing containers, and host ports are read back with `getHost()`, which follows
 * TESTCONTAINERS_HOST_OVERRIDE.
 */
export async function startContainerStack(): Promise<ContainerStack> {
  // The broker TROUPE_KAFKA_VERSION selects, as the devstack would run it; by default the images
  // of docker-compose.yml, so tests and the users' compose stack run the same servers.
  const images = containerImages(kafkaRelease(process.env));
  const network = await new Network().start();
  const [kafka, redis, postgres] = await Promise.all([
    new KafkaContainer(images.kafka)
      // Implied from cp-kafka 8 on (Kafka 4 has no ZooKeeper); needed for 7.9.
      .withKraft()
      // As production clusters run (and the devstack): no topic is created by sending to it.
      .withEnvironment({
        KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
        // KIP-848 groups take these from the broker (45 s and 5 s by default): as the devstack.
        KAFKA_GROUP_CONSUMER_MIN_SESSION_TIMEOUT_MS: '6000',
        KAFKA_GROUP_CONSUMER_SESSION_TIMEOUT_MS: '10000',
        KAFKA_GROUP_CONSUMER_MIN_HEARTBEAT_INTERVAL_MS: '500',
        KAFKA_GROUP_CONSUMER_HEARTBEAT_INTERVAL_MS: '1000',
      })
      .withNetwork(network)
      .withNetworkAliases('kafka')
      .start(),
    new RedisContainer(images.redis).start(),
    new PostgreSqlContainer(images.postgres)
      .withUsername('postgres')
      .withPassword('postgres')
      .withDatabase('postgres')
      .start(),
  ]);
  // The registry reaches Kafka over the container network, on the broker's internal listener.
  const registry = await new GenericContainer(images.schemaRegistry)
    .withNetwork(network)
    .withExposedPorts(8081)
    .withEnvironment({
      SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
      SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'PLAINTEXT://kafka:9092',
    })
    .withWaitStrategy(Wait.forHttp('/subjects', 8081).forStatusCode(200))
    .start();
  const settings: StackSettings = {
    TROUPE_KAFKA_BROKERS: `${kafka.getHost()}:${kafka.getMappedPort(9093)}`,
    TROUPE_REDIS_URL: redis.getConnectionUrl(),
    TROUPE_DATABASE_URL: postgres.getConnectionUri(),
    TROUPE_SCHEMA_REGISTRY_URL: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
  };
  return {
    settings,
    async stop() {
      await Promise.all([registry.stop(), redis.stop(), postgres.stop()]);
      await kafka.stop();
      await network.stop();
    },
  };
}
