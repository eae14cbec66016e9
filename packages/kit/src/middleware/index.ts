export type {
  InboundEvent,
  EventContext,
  Handler,
  Middleware,
  BatchInfo,
  PublishOptions,
} from './types';
export { compose, defineMiddleware } from './compose';
export { loggingMiddleware } from './logging';
export { metricsMiddleware } from './metrics';
export { tracingMiddleware } from './tracing';
export { timeoutMiddleware } from './timeout';
export { retryMiddleware } from './retry';
export { breakerMiddleware } from './breaker';
export { deadLetterMiddleware, FailureRoutingError } from './dead-letter';
