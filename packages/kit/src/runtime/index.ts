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
} from './define-service';
export { createService, TroupeService } from './service';
export type { ServiceOptions, StopOptions, ConsumerTuning } from './service';
export { runService, stopOnSignals } from './lifecycle';
export { TopicMissingError } from './failure-topics';
export { TimeoutError, withTimeout } from './timers';
