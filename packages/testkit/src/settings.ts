import type { SettingDoc } from '@troupe/kit/internal';

/**
 * What the integration tests' stack (startStack, jest's globalSetup), `npm test` and the fault
 * scenarios (`npm run test:faults`) read. Kafka's
 * version is the devstack's TROUPE_KAFKA_VERSION, the driver the kit's TROUPE_KAFKA_DRIVER.
 */
export const SETTINGS: readonly SettingDoc[] = [
  {
    name: 'TROUPE_KAFKA_BROKERS',
    default: 'none',
    description:
      'Set with TROUPE_REDIS_URL and TROUPE_DATABASE_URL, the tests use these servers instead of starting a stack.',
    fromFile: false,
  },
  {
    name: 'TROUPE_REDIS_URL',
    default: 'none',
    description:
      'The Redis of the servers the tests use instead of a stack (see TROUPE_KAFKA_BROKERS).',
    fromFile: false,
  },
  {
    name: 'TROUPE_DATABASE_URL',
    default: 'none',
    description:
      'The PostgreSQL of the servers the tests use instead of a stack (see TROUPE_KAFKA_BROKERS).',
    fromFile: false,
  },
  {
    name: 'TROUPE_SCHEMA_REGISTRY_URL',
    default: 'none',
    description:
      'With those three, the registry the tests use; unset, the testkit starts one on that Kafka (topic _troupe_schemas).',
    fromFile: false,
  },
  {
    name: 'TROUPE_STACK',
    default: 'none',
    description:
      'devstack starts local processes without first looking for a container runtime (testcontainers is used when one answers).',
    fromFile: false,
  },
  {
    name: 'TROUPE_TEST_DRIVERS',
    default: '`kafkajs platformatic`',
    description:
      'npm test (scripts/test): the Kafka drivers the whole suite runs on, one pass each.',
    fromFile: false,
  },
  {
    name: 'TROUPE_FAULTS_REPORT_DIR',
    default: 'a new temporary directory',
    description:
      "Where `npm run test:faults` leaves each scenario's figures (one JSON file each) for the table it prints.",
    fromFile: false,
  },
  {
    name: 'TROUPE_FAULTS_LOG',
    default: 'none',
    description:
      "A file: the fault scenarios write their service's log there at debug, to see what it did around the fault.",
    fromFile: false,
  },
];
