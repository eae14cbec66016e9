export { fullJitterBackoff, backoffCeiling } from './backoff';
export type { BackoffPolicy } from './backoff';
export {
  BreakerOpenError,
  DeliveryAbortedError,
  HandlerTimeoutError,
  classifyFailure,
  errorCode,
  failureKindOfCode,
  isRedeliverLater,
} from './classify';
export type { FailureKind, PermanentErrorPredicate, RedeliverLater } from './classify';
export {
  retryTopicName,
  deadLetterTopicName,
  parseRetryTopic,
  failureTopicsFor,
  nextDestination,
  msUntilDue,
} from './retry-topics';
export type { Destination } from './retry-topics';
export { RetryHeaders, DeadLetterHeaders, readDeliveryHistory } from './failure-headers';
export type { DeliveryHistory } from './failure-headers';
export { FailureRouter } from './failure-router';
export type { FailedRecord, RawSender, FailureRouterOptions } from './failure-router';
