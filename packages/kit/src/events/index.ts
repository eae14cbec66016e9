export * from './headers';
export * from './envelope';
