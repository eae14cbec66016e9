import type { SettingDoc } from '@troupe/kit/internal';
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_TOPIC } from './config';

/**
 * What `troupe-registry` reads (readEnvConfig), its defaults those of config.ts. It reaches Kafka
 * through the kit's TROUPE_KAFKA_* settings, declared with the kit's.
 */
export const SETTINGS: readonly SettingDoc[] = [
  {
    name: 'TROUPE_REGISTRY_PORT',
    default: String(DEFAULT_PORT),
    description: 'The port troupe-registry listens on; 0 picks a free one.',
    fromFile: false,
  },
  {
    name: 'TROUPE_REGISTRY_HOST',
    default: DEFAULT_HOST,
    description: 'The address troupe-registry listens on.',
    fromFile: false,
  },
  {
    name: 'TROUPE_REGISTRY_TOPIC',
    default: DEFAULT_TOPIC,
    description: "The compacted Kafka topic holding the registry's schemas.",
    fromFile: false,
  },
  {
    name: 'TROUPE_REGISTRY_USERS_FILE',
    default: 'none',
    description:
      'HTTP basic authentication: a users file as Confluent Schema Registry reads it (`<user>: <password>,<role>` lines, roles read-only and read-write); unset, anyone may read and write.',
    fromFile: false,
  },
  {
    name: 'TROUPE_REGISTRY_TLS_CERT_FILE',
    default: 'none',
    description:
      'A PEM certificate (chain) troupe-registry serves HTTPS with, with TROUPE_REGISTRY_TLS_KEY_FILE; unset, HTTP.',
    fromFile: false,
  },
  {
    name: 'TROUPE_REGISTRY_TLS_KEY_FILE',
    default: 'none',
    description:
      'The unencrypted PEM private key of TROUPE_REGISTRY_TLS_CERT_FILE; its contents are never logged or quoted.',
    fromFile: false,
  },
  {
    name: 'TROUPE_LOG_LEVEL',
    default: 'info',
    description:
      "troupe-registry's log level (JSON lines on stderr); startRegistry without a logger uses it too, else warn.",
    fromFile: false,
  },
];
