import type { ChainableCommander, Redis } from 'ioredis';
import type { RawHeaders } from '../events/headers';
import { ConfigError } from '../errors';
import type { OutgoingEventOf } from '../events/envelope';
import {
  OutboxEncoder,
  OutboxMessage,
  StoredHeaders,
  decodeHeaders,
  toOutboxRecord,
} from './message';
import type { OutboxStats } from './pg-outbox';

/** The stream a RedisOutbox appends to and how `add` encodes events. */
export interface RedisOutboxOptions {
  /**
   * The stream; default `troupe:outbox`. With Redis Cluster, give it the hash tag of the keys your
   * transactions change (`troupe:outbox:{orders}`): MULTI needs them in one slot.
   */
  stream?: string;
  /** The publisher's `toMessage`, so `add(multi, event)` accepts OutgoingEvents. */
  encode?: OutboxEncoder;
}

/** A stream entry decoded back into what Kafka needs. */
export interface RedisOutboxEntry {
  id: string;
  topic: string;
  aggregateKey: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: RawHeaders;
}

/**
 * The outbox for services whose state lives in Redis: `add(multi, event)` queues an XADD on the
 * caller's MULTI, so the state change and the outbox entry are applied by one EXEC, or neither
 * (DISCARD, or a WATCH that fails). The RedisOutboxRelay publishes entries after EXEC.
 */
export class RedisOutbox<E extends object = Record<string, unknown>> {
  readonly stream: string;
  private readonly encode: OutboxEncoder | undefined;

  constructor(options: RedisOutboxOptions = {}) {
    this.stream = options.stream ?? 'troupe:outbox';
    if (this.stream.length === 0)
      throw new ConfigError('redisOutbox.stream', 'a non-empty stream key', '');
    this.encode = options.encode;
  }

  /** Encodes first (an encoding failure throws before anything is queued), then queues the XADD. */
  async add(multi: ChainableCommander, input: OutgoingEventOf<E> | OutboxMessage): Promise<void> {
    const record = await toOutboxRecord(input, this.encode);
    const fields: (string | Buffer)[] = ['topic', record.topic, 'agg', record.aggregateKey];
    if (record.key) fields.push('key', record.key);
    if (record.value) fields.push('value', record.value);
    fields.push('headers', JSON.stringify(record.headers));
    multi.xadd(this.stream, '*', ...fields);
  }

  /** Entries not yet published (published entries are deleted) and the age of the oldest. */
  async stats(redis: Redis): Promise<OutboxStats> {
    const [length, first] = await Promise.all([
      redis.xlen(this.stream),
      redis.xrange(this.stream, '-', '+', 'COUNT', 1),
    ]);
    const oldestId = first[0]?.[0];
    return {
      pending: length,
      oldestUnsentAgeMs: oldestId ? Math.max(0, Date.now() - Number(oldestId.split('-')[0])) : null,
    };
  }
}

/** Decodes XREADGROUP/XAUTOCLAIM fields (as Buffers); null for an entry deleted while pending. */
export function decodeEntry(id: string, fields: Buffer[] | null): RedisOutboxEntry | null {
  if (!fields) return null;
  const map = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2)
    map.set(String(fields[i]), fields[i + 1] as Buffer);
  const topic = map.get('topic')?.toString();
  if (!topic) return null;
  return {
    id,
    topic,
    aggregateKey: map.get('agg')?.toString() ?? '',
    key: map.get('key') ?? null,
    value: map.get('value') ?? null,
    headers: decodeHeaders(JSON.parse(map.get('headers')?.toString() ?? '{}') as StoredHeaders),
  };
}

export type StreamEntries = [Buffer, Buffer[] | null][];

/**
 * The entries of a one-stream XREADGROUP reply. RESP2 answers `[[stream, entries]]`; RESP3 (the
 * ioredis 6 default) answers a map, which arrives flattened as `[stream, entries]`; null when empty.
 */
export function entriesFromReadReply(reply: unknown): StreamEntries {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  if (Array.isArray(reply[0]))
    return ((reply[0] as unknown[])[1] as StreamEntries | undefined) ?? [];
  return (reply[1] as StreamEntries | undefined) ?? [];
}
