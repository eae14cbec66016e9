import { TroupeError } from '../errors';
import type { RawHeaders } from '../events/headers';

export type DecodeFailure =
  | 'EMPTY_PAYLOAD'
  | 'WRONG_MAGIC_BYTE'
  | 'TRUNCATED'
  | 'UNKNOWN_SCHEMA_ID'
  | 'UNRESOLVABLE_SCHEMA'
  | 'INVALID_BODY'
  | 'UNKNOWN_EVENT_TYPE';

/** A payload that cannot be turned into an event. Always permanent: the runtime dead-letters it. */
export class DecodeError extends TroupeError {
  constructor(
    readonly reason: DecodeFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`DECODE_${reason}`, message, options);
  }
}

/** A decoded record: its event type, its payload read with the reader schema, and the writer schema id. */
export interface DecodedEvent<T = unknown> {
  type: string;
  payload: T;
  schemaId: number;
}

/**
 * Turns typed payloads into Confluent-wire-format Avro and back. The writer schema comes from
 * the registry by id; the reader schema is the consumer's own, so producers can evolve compatibly.
 */
export interface EventCodec {
  encode(topic: string, type: string, payload: unknown): Promise<Buffer>;
  /** @param type the event type from the ce_type header, which selects the reader schema. */
  decode(
    topic: string,
    type: string | undefined,
    value: Buffer | null,
    headers?: RawHeaders,
  ): Promise<DecodedEvent>;
}
