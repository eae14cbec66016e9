export { MemoryCluster, type GroupCommit } from './cluster';
export { MemoryGroupConsumer, StaleGenerationError } from './consumer';
export { MemoryKafkaDriver } from './driver';
export { JsonTestCodec } from './json-codec';
