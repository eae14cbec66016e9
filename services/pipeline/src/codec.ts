import { contractsCatalog } from '@troupe/contracts';
import { AvroCodec, codecFromConfig, TroupeConfig } from '@troupe/kit';

/**
 * The pipeline's Avro codec: the contracts' schemas, ids from the registry in the config (its
 * credentials and CA applied as every Troupe client applies them: codecFromConfig).
 */
export function createPipelineCodec(config: TroupeConfig, autoRegister: boolean): AvroCodec {
  return codecFromConfig(config, contractsCatalog(), { autoRegister, timeoutMs: 5_000 });
}
