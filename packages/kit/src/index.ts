/**
 * @troupe/kit: what a service author uses. Troupe's own tools (CLI, registry, devstack, testkit)
 * reach the building blocks through `@troupe/kit/internal`, which makes no stability promise;
 * drivers have their own entry points (`@troupe/kit/kafkajs`, `@troupe/kit/platformatic`,
 * `@troupe/kit/memory`).
 *
 * @packageDocumentation
 * @module @troupe/kit
 */

// Errors: every error Troupe raises is a TroupeError with a stable code.
export {
  TroupeError,
  ConfigError,
  PermanentError,
  errorCodes,
  oneLineMessage,
  type ErrorCode,
} from './errors';

// Events: the envelope a handler sees and a publisher sends; CloudEvents headers.
export { Headers, headerString, type RawHeaders } from './events/headers';
export type {
  Envelope,
  EventMetadata,
  OutgoingEvent,
  OutgoingEventOf,
  RoutableEventOf,
} from './events/envelope';

// Contracts: Avro in the Confluent wire format, schemas from the registry.
export { AvroCodec, UnknownEventTypeError, type AvroCodecOptions } from './codec/avro-codec';
export { DecodeError, type DecodedEvent, type EventCodec } from './codec/codec';
export { SchemaRegistryClient, RegistryError } from './codec/registry-client';
export type { SubjectNameStrategy } from './codec/subject-strategy';
export { ValidationError } from './codec/validation-error';
export {
  createSchemaCatalog,
  loadSchemaCatalog,
  SchemaCatalog,
  type SchemaSource,
} from './schemas/catalog';
export type { TopicSpec } from './schemas/topics';

// The service runtime.
export { defineService, ServiceDefinitionError } from './runtime/define-service';
export type {
  BaseHandlerContext,
  ConsumeMap,
  DedupContext,
  DedupDeclaration,
  EventHandler,
  EventMap,
  HandlerContext,
  HandlerSpec,
  HasDedup,
  PublishMap,
  ServiceDefinition,
  StartPosition,
} from './runtime/define-service';
export { createService, TroupeService } from './runtime/service';
export type { ConsumerTuning, ServiceOptions, StopOptions } from './runtime/service';
export { stopOnSignals } from './runtime/lifecycle';
export { runService, type RunServiceOptions } from './runtime/run-service';
export { UnreachableError } from './runtime/dependency-probe';
export { codecFromConfig, registryClientFromConfig } from './codec/codec-from-config';
export { TopicMissingError } from './runtime/failure-topics';
export { TimeoutError, withTimeout } from './runtime/timers';
export { compose, defineMiddleware } from './middleware/compose';
export type {
  EventContext,
  Handler,
  InboundEvent,
  Middleware,
  PublishOptions,
} from './middleware/types';
export { BreakerOpenError, HandlerTimeoutError, type RedeliverLater } from './retry/classify';
export { DeadLetterHeaders, RetryHeaders } from './retry/failure-headers';
export { DependencyBreaker } from './breaker/dependency-breaker';
export type { BreakerSettings } from './breaker/breaker-registry';

// Publishing, exactly-once effects and the transactional outbox.
export { Publisher, type PublisherOptions } from './publish/publisher';
export { toMessage, InvalidEventError, type EncodedEvent } from './publish/to-message';
export { byEventId, type DedupEvent, type DedupKeyFunction } from './dedup/keys';
export { DedupBusyError, DedupUnavailableError } from './dedup/errors';
export { RedisDedupStore, type DedupStore, type RedisDedupStoreOptions } from './dedup/store';
export type { DedupMiddlewareOptions } from './dedup/middleware';
export { PgDedupMarks, type PgDedupMarksOptions } from './dedup/pg-marks';
export { createFailFastRedis } from './dedup/redis-client';
export { probeDatabase, probeRedis } from './runtime/store-probes';
export { PgOutbox, type OutboxStats, type PgOutboxOptions } from './outbox/pg-outbox';
export { checkOutClient, inTransaction } from './pg';
export {
  OutboxRelay,
  runOutboxRelay,
  type OutboxRelayOptions,
  type OutboxRow,
} from './outbox/pg-relay';
export { RedisOutbox, type RedisOutboxOptions } from './outbox/redis-outbox';
export {
  RedisOutboxRelay,
  runRedisOutboxRelay,
  type RedisOutboxRelayOptions,
} from './outbox/redis-relay';
export { OutboxPublishError } from './outbox/publish-error';
export { registerOutboxMetrics } from './outbox/metrics';
export type { OutboxEncoder, OutboxMessage } from './outbox/message';

// The system catalog: troupe.config.ts, read by troupe graph and troupe asyncapi.
export {
  CHOREOGRAPHY_RULES,
  catalogService,
  defineCatalog,
  notConnected,
  type CatalogDeclaration,
  type CatalogService,
  type ChoreographyException,
  type ChoreographyRule,
} from './catalog/declaration';
export { CatalogError } from './catalog/catalog-error';

// Settings, logs and the Kafka connection.
export {
  loadConfig,
  loadDatabaseConnection,
  loadKafkaConnection,
  loadRedisConnection,
  loadRetryTopicDelays,
  type TroupeConfig,
} from './config/service-config';
export type { DatabaseConnection, RedisConnection } from './config/store-connection';
export { readVariable, type Environment } from './config/env-source';
export { parseDuration } from './config/duration';
export { createLogger } from './observability/logger';
export { createKafkaDriver } from './kafka/create-driver';
export { UnknownTopicError } from './kafka/errors';
export type { KafkaDriver } from './kafka/driver';
export type { DriverOptions, KafkaConnection } from './kafka/connection';
