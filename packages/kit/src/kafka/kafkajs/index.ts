/**
 * @troupe/kit/kafkajs: the kafkajs driver, for code that builds it directly instead of through createKafkaDriver.
 *
 * @packageDocumentation
 * @module @troupe/kit/kafkajs
 */
export { KafkajsDriver } from './driver';
export { ignoreKafkajsNegativeTimeoutWarning } from './negative-timeout-warning';
