import { contractsCatalog } from '@troupe/contracts';
import { AvroCodec, ConfigError, SchemaRegistryClient, TroupeConfig } from '@troupe/kit';

/** The pipeline's Avro codec: the contracts' schemas, ids from the registry in the config. */
export function createPipelineCodec(config: TroupeConfig, autoRegister: boolean): AvroCodec {
  const registry = config.schemaRegistry;
  if (!registry) {
    throw new ConfigError(
      'TROUPE_SCHEMA_REGISTRY_URL',
      'the schema registry URL, e.g. http://localhost:8081',
    );
  }
  return new AvroCodec({
    registry: new SchemaRegistryClient({ url: registryUrl(registry), timeoutMs: 5_000 }),
    catalog: contractsCatalog(),
    subjectStrategy: registry.subjectStrategy,
    autoRegister,
  });
}

/** The client takes credentials in the URL (`user:password@`). */
function registryUrl(registry: NonNullable<TroupeConfig['schemaRegistry']>): string {
  if (!registry.username) return registry.url;
  const url = new URL(registry.url);
  url.username = registry.username;
  url.password = registry.password ?? '';
  return url.toString().replace(/\/$/, '');
}
