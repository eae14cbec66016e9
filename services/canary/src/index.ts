export { startCanary, canaryDefinition, loadCanarySettings } from './canary';
export type { CanarySettings, RunningCanary } from './canary';
export { CanaryState } from './canary-state';
export type { PendingPromotion } from './canary-state';
export { PromotionLoop } from './promotion-loop';
export type { PromotionLoopOptions } from './promotion-loop';
