import { ConfigError } from '../errors';
import type { OutgoingEvent } from '../events/envelope';
import type { RawHeaders } from '../events/headers';
import type { OutgoingRecord } from '../kafka/records';

/** An already-encoded record bound for Kafka. */
export interface OutboxMessage {
  topic: string;
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: RawHeaders;
  /** Messages with the same aggregate key are published in the order they were added. Default: the key. */
  aggregateKey?: string;
}

/**
 * Encodes an OutgoingEvent into a Kafka message (envelope headers, Avro value): the publisher's
 * `toMessage`. The topic comes from the event unless the encoder returns one.
 */
export type OutboxEncoder = (event: OutgoingEvent) => Promise<OutgoingRecord & { topic?: string }>;

/** What a row (or stream entry) holds: everything Kafka needs, as bytes and JSON. */
export interface OutboxRecord {
  aggregateKey: string;
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: StoredHeaders;
}

/** Kafka header values as JSON: strings stay strings, bytes become `{ "b64": … }`. */
export type StoredHeaderValue = string | { b64: string } | StoredHeaderValue[];
export type StoredHeaders = Record<string, StoredHeaderValue>;

export function isOutgoingEvent(input: OutgoingEvent | OutboxMessage): input is OutgoingEvent {
  return 'payload' in input && 'type' in input && !('value' in input);
}

/** Encodes before anything is written, so a payload that cannot be encoded fails the caller's transaction. */
export async function toOutboxRecord(
  input: OutgoingEvent | OutboxMessage,
  encode: OutboxEncoder | undefined,
): Promise<OutboxRecord> {
  if (isOutgoingEvent(input)) {
    if (!encode) {
      throw new ConfigError(
        'outbox.encode',
        'an encoder (the publisher toMessage) to add an OutgoingEvent',
      );
    }
    const message = await encode(input);
    return record(message.topic ?? input.topic, input.key, message);
  }
  return record(input.topic, input.aggregateKey, input);
}

function record(
  topic: string,
  aggregateKey: string | undefined,
  message: OutgoingRecord,
): OutboxRecord {
  const key = toBuffer(message.key);
  return {
    topic,
    // Keyless messages share one aggregate: kept in order among themselves.
    aggregateKey: aggregateKey ?? key?.toString() ?? '',
    key,
    value: toBuffer(message.value),
    headers: encodeHeaders(message.headers),
  };
}

function toBuffer(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

export function encodeHeaders(headers: RawHeaders | undefined): StoredHeaders {
  const stored: StoredHeaders = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) stored[name] = encodeHeaderValue(value);
  }
  return stored;
}

function encodeHeaderValue(value: Buffer | string | (Buffer | string)[]): StoredHeaderValue {
  if (Array.isArray(value)) return value.map(encodeHeaderValue);
  return typeof value === 'string' ? value : { b64: value.toString('base64') };
}

export function decodeHeaders(stored: StoredHeaders | null | undefined): RawHeaders {
  const headers: RawHeaders = {};
  for (const [name, value] of Object.entries(stored ?? {}))
    headers[name] = decodeHeaderValue(value);
  return headers;
}

function decodeHeaderValue(value: StoredHeaderValue): Buffer | string | (Buffer | string)[] {
  if (Array.isArray(value)) return value.map((item) => decodeHeaderValue(item) as Buffer | string);
  return typeof value === 'string' ? value : Buffer.from(value.b64, 'base64');
}
