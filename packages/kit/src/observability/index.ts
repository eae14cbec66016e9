export { createLogger, REDACTED_LOG_PATHS } from './logger';
export type { LoggerSettings } from './logger';
export { ServiceMetrics, EventMeters } from './metrics';
export type { HandlingOutcome, BreakerStateName } from './metrics';
export { parseTraceparent, formatTraceparent, contextFromTraceparent } from './trace-context';
export { startOpsServer } from './http-server';
export type { OpsServer, HealthProbes, ProbeResult } from './http-server';
