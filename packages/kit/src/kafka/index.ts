export type {
  ClusterDescription,
  CommittedOffset,
  GroupDescription,
  KafkaAdmin,
  PartitionInfo,
  PartitionOffsets,
  TopicConfigEntry,
  TopicDescription,
  NewTopic,
} from './admin';
export type { DriverOptions, KafkaConnection } from './connection';
export type {
  BatchControl,
  BatchHandler,
  ConsumerOptions,
  ConsumerRunOptions,
  GroupConsumer,
  RecordBatch,
} from './consumer';
export { createKafkaDriver } from './create-driver';
export {
  KAFKA_DRIVERS,
  KAFKA_DRIVER_VARIABLE,
  parseKafkaDriverName,
  type KafkaDriverName,
} from './driver-names';
export type { KafkaDriver } from './driver';
export { UnknownTopicError } from './errors';
export type { ProducerOptions, RecordProducer } from './producer';
export {
  nextOffset,
  type Assignment,
  type ConsumedRecord,
  type OutgoingRecord,
  type TopicRecords,
} from './records';
