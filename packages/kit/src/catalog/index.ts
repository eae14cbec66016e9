export {
  CHOREOGRAPHY_RULES,
  catalogService,
  defineCatalog,
  notConnected,
  type CatalogDeclaration,
  type CatalogService,
  type ChoreographyException,
  type ChoreographyRule,
} from './declaration';
export { CatalogError } from './catalog-error';
export {
  buildSystemCatalog,
  type CatalogSources,
  type CatalogedEvent,
  type CatalogedService,
  type PublishPath,
  type SystemCatalog,
} from './system-catalog';
