export {
  readBoolean,
  readDuration,
  readNumber,
  readOptionalString,
  readRequiredString,
  readString,
} from './env';
export {
  defaultPipelineNames,
  loadPipelineSettings,
  releaseEventId,
  serviceName,
} from './settings';
export type { PipelineNames, PipelineSettings, PipelineTopics } from './settings';
export { createPipelineCodec } from './codec';
export { createPipelineService, quitRedis } from './pipeline-service';
export type { PipelineService, PipelineServiceOptions } from './pipeline-service';
export { RedisTrafficRouter } from './traffic-router';
export type {
  CanaryRequest,
  PromoteResult,
  ReleaseRouting,
  RollbackResult,
  Route,
  StartResult,
} from './traffic-router';
export { runAsProcess } from './process-main';
export type { ProcessOptions, RunningService } from './process-main';
export { isEventOnTopic } from './topic-probe';
export type { ProbeOptions } from './topic-probe';
