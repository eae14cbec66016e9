export {
  type OutboxMessage,
  type OutboxEncoder,
  type OutboxRecord,
  type StoredHeaders,
  encodeHeaders,
  decodeHeaders,
} from './message';
export * from './pg-outbox';
export * from './pg-relay';
export * from './publish-error';
export * from './metrics';
export * from './redis-outbox';
export * from './redis-relay';
