/**
 * The in-memory Kafka driver, for unit tests of handlers and services in milliseconds: a
 * service runs on it unchanged (`createService(definition, { kafka: new MemoryKafkaDriver(), … })`).
 * Integration tests use the real stack (testKafka()); this never replaces the broker there.
 */
export { JsonTestCodec, MemoryCluster, MemoryKafkaDriver } from '@troupe/kit/memory';
