export { Publisher } from './publisher';
export type { PublisherOptions } from './publisher';
export { toMessage, InvalidEventError } from './to-message';
export type { EncodedEvent } from './to-message';
