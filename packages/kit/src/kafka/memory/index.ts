/**
 * @troupe/kit/memory: The in-memory Kafka driver (partitions, offsets, groups and commits in memory) and a JSON codec, for unit tests.
 *
 * @packageDocumentation
 * @module @troupe/kit/memory
 */
export { MemoryCluster, type GroupCommit } from './cluster';
export { MemoryGroupConsumer, StaleGenerationError } from './consumer';
export { MemoryKafkaDriver } from './driver';
export { JsonTestCodec } from './json-codec';
