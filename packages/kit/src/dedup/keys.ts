import { ConfigError } from '../errors';

/** What the dedup key function sees: the consumed event's metadata and, if known, its payload. */
export interface DedupEvent {
  metadata: { id: string; type?: string; key?: string; topic?: string };
  payload?: unknown;
}

/**
 * Turns an event into its dedup key. The default is the event id (the envelope's ce_id), which
 * stays the same across redeliveries and retry topics. Use a business key (an order id plus the
 * step) when the same effect can arrive as two different events.
 */
export type DedupKeyFunction = (event: DedupEvent) => string;

/** The default dedup key: the event id (`ce_id`), so a redelivered event runs once. */
export const byEventId: DedupKeyFunction = (event) => event.metadata.id;

export const DEFAULT_DEDUP_PREFIX = 'troupe:dedup';
/** Keys of `once(key, fn)` live apart from event keys, so a business id never collides with an event id. */
export const ONCE_NAMESPACE = 'once';

/** `troupe:dedup:{service}:{key}`; the service keeps two consumers of the same event apart. */
export function dedupRedisKey(prefix: string, service: string, key: string): string {
  return `${prefix}:${service}:${key}`;
}

export function onceKey(key: string): string {
  return `${ONCE_NAMESPACE}:${key}`;
}

/** A key must be a non-empty string: an empty key would make unrelated events share one entry. */
export function checkedKey(key: unknown, where: string): string {
  if (typeof key !== 'string' || key.length === 0) {
    throw new ConfigError(where, 'a non-empty string dedup key', String(key));
  }
  return key;
}

export function checkedService(service: unknown): string {
  if (typeof service !== 'string' || !/^[A-Za-z0-9._-]+$/.test(service)) {
    throw new ConfigError(
      'dedup.service',
      'a service name of letters, digits, ".", "_" or "-"',
      String(service),
    );
  }
  return service;
}
