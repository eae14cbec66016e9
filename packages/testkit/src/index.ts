/**
 * @troupe/testkit: The test stack (startStack/stopStack: existing servers, testcontainers or the devstack) and test helpers.
 *
 * @packageDocumentation
 * @module @troupe/testkit
 */
export { startStack, stopStack } from './stack';
export type { RunningStack } from './stack';
export { chooseStackSource } from './choose-source';
export type { StackSource, SourceChoice } from './choose-source';
export { probeContainerRuntime } from './docker';
export type { RuntimeProbe } from './docker';
export { uniqueName } from './names';
export { closedPort } from './closed-port';
export { startFaultProxy } from './fault-proxy';
export type { FaultProxy, ProxyTarget } from './fault-proxy';
export { scratchDir, removeScratchDirs } from './scratch-dir';
export {
  consumeUntil,
  createTopics,
  readRecords,
  testKafka,
  waitForEvent,
  withTestAdmin,
} from './kafka-helpers';
export type { ReceivedMessage } from './kafka-helpers';
export { JsonTestCodec, MemoryCluster, MemoryKafkaDriver } from './memory-kafka';
