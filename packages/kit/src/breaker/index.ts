export { BreakerRegistry } from './breaker-registry';
export type { BreakerSettings } from './breaker-registry';
export { DependencyBreaker } from './dependency-breaker';
