import { AvroCodec, EventCodec, TroupeConfig, createSchemaCatalog } from '../../src/internal';
import { testSchemas } from './test-schemas';

/**
 * The test contract's codec for a service run as a child process (sigterm-child, dedup-consumer).
 * Children import the kit's sources, not `@troupe/kit`'s dist, so they cannot use testCodec().
 */
export function childCodec(config: TroupeConfig): EventCodec {
  return new AvroCodec({
    registry: config.schemaRegistry!.url,
    catalog: createSchemaCatalog(testSchemas.map((schema) => ({ schema }))),
  });
}
