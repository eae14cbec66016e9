export {
  SchemaCatalog,
  createSchemaCatalog,
  loadSchemaCatalog,
  parseSchemaFile,
  listSchemaFiles,
} from './catalog';
export type { CatalogEntry, SchemaSource } from './catalog';
export { SchemaFileError } from './schema-file-error';
export { TimestampMillisType, avroTypeOptions, parseAvroType } from './logical-types';
export { parseTopics, loadTopics, checkTopicsAgainstCatalog } from './topics';
export type { TopicSpec } from './topics';
