import type { TroupeConfig } from '../config/service-config';
import { ConfigError } from '../errors';
import { AvroCodec } from './avro-codec';
import { SchemaRegistryClient } from './registry-client';
import type { SchemaCatalog } from '../schemas/catalog';

/**
 * The codec a service gets from its configuration: Avro in the Confluent wire format, through the
 * registry at TROUPE_SCHEMA_REGISTRY_URL (with TROUPE_SCHEMA_REGISTRY_USERNAME/_PASSWORD as basic
 * authentication, TROUPE_SCHEMA_REGISTRY_CA_FILE trusted), subjects named by TROUPE_SUBJECT_STRATEGY, reading and writing with `catalog`'s
 * schemas. Throws a ConfigError naming TROUPE_SCHEMA_REGISTRY_URL when it is not set.
 */
export function codecFromConfig(
  config: TroupeConfig,
  catalog: SchemaCatalog,
  options: { autoRegister?: boolean; timeoutMs?: number } = {},
): AvroCodec {
  return new AvroCodec({
    registry: registryClientFromConfig(config, { timeoutMs: options.timeoutMs }),
    subjectStrategy: config.schemaRegistry?.subjectStrategy,
    catalog,
    autoRegister: options.autoRegister,
  });
}

/**
 * The registry client of TROUPE_SCHEMA_REGISTRY_* (URL, basic authentication, CA): the one way every
 * part of Troupe — runService, the CLI, the demo — makes one from settings, so all of them reach a
 * secured registry alike. A ConfigError when the URL is not set. `config` is loadConfig's, or
 * `{ schemaRegistry: loadSchemaRegistrySettings(env) }` for a tool that does not read all of it.
 */
export function registryClientFromConfig(
  config: Pick<TroupeConfig, 'schemaRegistry'>,
  options: { timeoutMs?: number } = {},
): SchemaRegistryClient {
  const registry = config.schemaRegistry;
  if (!registry)
    throw new ConfigError(
      'TROUPE_SCHEMA_REGISTRY_URL',
      'an http(s) URL, e.g. http://registry:8081 (it is not set; the Avro codec needs the registry)',
    );
  return new SchemaRegistryClient({
    url: registry.url,
    username: registry.username,
    password: registry.password,
    ca: registry.ca,
    timeoutMs: options.timeoutMs,
  });
}
