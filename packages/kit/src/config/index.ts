export {
  KIT_SETTINGS,
  loadConfig,
  loadDatabaseConnection,
  loadKafkaConnection,
  loadRedisConnection,
  loadRetryTopicDelays,
  loadSchemaRegistrySettings,
  SECRET_LOG_PATHS,
  SECRET_VARIABLES,
} from './service-config';
export type { TroupeConfig } from './service-config';
export { maskUrlPassword } from './store-connection';
export type { DatabaseConnection, RedisConnection } from './store-connection';
export { readVariable } from './env-source';
export { readPemFileSetting } from './pem-file-setting';
export type { Environment } from './env-source';
export { parseDuration, parseDurationList } from './duration';
export { isBrokerAddress } from './broker-address';
export { formatDuration } from './setting-doc';
export type { SettingDoc } from './setting-doc';
