export * from './codec';
export { AvroCodec, UnknownEventTypeError } from './avro-codec';
export type { AvroCodecOptions } from './avro-codec';
export { SchemaRegistryClient, RegistryError } from './registry-client';
export type {
  SchemaRegistryClientOptions,
  RegisteredSchema,
  CompatibilityResult,
} from './registry-client';
export {
  DEFAULT_SUBJECT_STRATEGY,
  SUBJECT_STRATEGIES,
  subjectNamer,
  parseSubjectStrategy,
} from './subject-strategy';
export type { SubjectNameStrategy, SubjectNamer } from './subject-strategy';
export { ValidationError } from './validation-error';
export { MAGIC_BYTE, WIRE_HEADER_SIZE, readSchemaId, writeWireHeader } from './wire-format';
