export { defineService, ServiceDefinitionError } from './define-service';
export type {
  EventMap,
  PublishMap,
  HandlerContext,
  BaseHandlerContext,
  DedupContext,
  HasDedup,
  DedupDeclaration,
  EventHandler,
  HandlerSpec,
  ConsumeMap,
  ServiceDefinition,
  StartPosition,
} from './define-service';
export { createService, TroupeService } from './service';
export type { ServiceOptions, StopOptions, ConsumerTuning } from './service';
export { stopOnSignals } from './lifecycle';
export { runService, type RunServiceOptions } from './run-service';
export { UnreachableError } from './dependency-probe';
export { probeDatabase, probeRedis } from './store-probes';
export { TopicMissingError } from './failure-topics';
export { TimeoutError, withTimeout } from './timers';
