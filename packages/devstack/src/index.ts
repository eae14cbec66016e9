/**
 * @troupe/devstack: A real Kafka, Redis, PostgreSQL and schema registry as local processes, no Docker.
 *
 * @packageDocumentation
 * @module @troupe/devstack
 */
export { startLocalStack, stopLocalStack, settingsLines, STACK_FILE } from './stack';
export { upBackgroundStack } from './background-stack';
export type { LocalStack, StackSettings, StartOptions } from './stack';
export { prepareKafka, SECURED_KAFKA_USER } from './kafka';
export type { KafkaSettings } from './kafka';
export { startStandaloneKafka, stopStandaloneKafka } from './standalone-kafka';
export type { StandaloneKafka, StandaloneKafkaOptions } from './standalone-kafka';
export { makeStackCertificates } from './certificates';
export type { StackCertificateOptions, StackCertificates } from './certificates';
export { kafkaRelease, KAFKA_RELEASES, DEFAULT_KAFKA_RELEASE } from './kafka-release';
export type { KafkaRelease } from './kafka-release';
export { startRegistry as startRegistryProcess } from './registry';
export { activeController } from './kafka-quorum';
export { stopServer } from './server-process';
export {
  serverNames,
  killServer,
  pauseServer,
  resumeServer,
  restartServer,
  stackServers,
} from './server-control';
export type { ServerName, StackServers } from './server-control';
export type { ServerHandle } from './server-process';
export { PrerequisiteError, ServerStartError, SettingError } from './errors';
