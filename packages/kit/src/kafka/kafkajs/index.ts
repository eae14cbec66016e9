/** @troupe/kit/kafkajs: the kafkajs driver, for code that builds it directly instead of through createKafkaDriver. */
export { KafkajsDriver } from './driver';
export { ignoreKafkajsNegativeTimeoutWarning } from './negative-timeout-warning';
