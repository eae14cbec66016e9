export * from './errors';
export * from './events';
export * from './codec';
export * from './schemas';
export * from './dedup';
export * from './outbox';
