export * from './errors';
export { byEventId, type DedupEvent, type DedupKeyFunction } from './keys';
export type { ClaimOutcome, ClaimResult, MarkOutcome } from './scripts';
export * from './store';
export * from './middleware';
export * from './pg-marks';
export * from './redis-client';
