import { randomUUID } from 'node:crypto';
import { AVRO_CONTENT_TYPE, CLOUDEVENTS_SPEC_VERSION, Headers, RawHeaders } from './headers';

/** What a handler knows about the event it handles. */
export interface EventMetadata {
  id: string;
  type: string;
  source: string;
  time: string;
  correlationId: string;
  causationId?: string;
  traceparent?: string;
  key?: string;
  topic: string;
  partition: number;
  offset: string;
  headers: RawHeaders;
}

/** An event on its way out, before encoding: the payload is the typed Avro record. */
export interface OutgoingEvent<T = unknown> {
  type: string;
  payload: T;
  /** The aggregate key: events with the same key keep their order. */
  key: string;
  topic: string;
  id?: string;
  time?: Date;
  correlationId?: string;
  causationId?: string;
  traceparent?: string;
  headers?: Record<string, string>;
}

/**
 * An OutgoingEvent typed by an event map (`EventTypes` of @troupe/contracts): `type` is one of the
 * map's event types and `payload` that type's payload, so a typo or a wrong field is a compile
 * error. With the default map, any type and payload go.
 */
export type OutgoingEventOf<E extends object = Record<string, unknown>> = {
  [T in keyof E & string]: OutgoingEvent<E[T]> & { type: T };
}[keyof E & string];

/** An OutgoingEventOf whose `topic` may be left out where the publisher routes its type (`routes`). */
export type RoutableEventOf<E extends object = Record<string, unknown>> = {
  [T in keyof E & string]: Omit<OutgoingEvent<E[T]>, 'topic'> & { type: T; topic?: string };
}[keyof E & string];

/** The envelope attributes an outgoing event gets, filled with defaults where the caller gave none. */
export interface Envelope {
  id: string;
  type: string;
  source: string;
  time: string;
  correlationId: string;
  causationId?: string;
  traceparent?: string;
}

export function envelopeFor(event: OutgoingEvent, source: string): Envelope {
  const id = event.id ?? randomUUID();
  return {
    id,
    type: event.type,
    source,
    time: (event.time ?? new Date()).toISOString(),
    // The first event of a flow starts its correlation with its own id.
    correlationId: event.correlationId ?? id,
    causationId: event.causationId,
    traceparent: event.traceparent,
  };
}

export function envelopeHeaders(
  envelope: Envelope,
  extra?: Record<string, string>,
): Record<string, string> {
  const headers: Record<string, string> = {
    ...extra,
    [Headers.specVersion]: CLOUDEVENTS_SPEC_VERSION,
    [Headers.id]: envelope.id,
    [Headers.type]: envelope.type,
    [Headers.source]: envelope.source,
    [Headers.time]: envelope.time,
    [Headers.correlationId]: envelope.correlationId,
    [Headers.contentType]: AVRO_CONTENT_TYPE,
  };
  if (envelope.causationId) headers[Headers.causationId] = envelope.causationId;
  if (envelope.traceparent) headers[Headers.traceparent] = envelope.traceparent;
  return headers;
}
