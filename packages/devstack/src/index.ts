export { startLocalStack, stopLocalStack, settingsLines, STACK_FILE } from './stack';
export type { LocalStack, StackSettings, StartOptions } from './stack';
export { prepareKafka, KAFKA_VERSION } from './kafka';
export { startRegistry as startRegistryProcess } from './registry';
export { stopServer } from './server-process';
export type { ServerHandle } from './server-process';
export { PrerequisiteError, ServerStartError } from './errors';
