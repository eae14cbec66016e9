/**
 * @troupe/contracts: The TypeScript types, topic names and schema catalog generated from schemas/.
 *
 * @packageDocumentation
 * @module @troupe/contracts
 */
import { createSchemaCatalog, type SchemaCatalog } from '@troupe/kit';
import { schemaSources } from './generated';

export * from './generated';

let catalog: SchemaCatalog | undefined;

/**
 * The contracts in schemas/ as a schema catalog, built on first use from the schemas embedded
 * in generated.ts, so a service needs no path to the schemas folder at run time.
 */
export function contractsCatalog(): SchemaCatalog {
  return (catalog ??= createSchemaCatalog(schemaSources));
}
