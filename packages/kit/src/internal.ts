/**
 * @troupe/kit/internal: every building block, for Troupe's own packages (CLI, registry, devstack,
 * testkit, the example services' tooling). No stability promise: service authors import @troupe/kit.
 */
export * from './errors';
export * from './events';
export * from './codec';
export * from './schemas';
export * from './catalog';
export * from './dedup';
export * from './outbox';
export * from './config';
export * from './retry';
export * from './observability';
export * from './breaker';
export * from './middleware';
export * from './publish';
export * from './runtime';
export * from './kafka';
