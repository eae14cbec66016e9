import { DeadLetterHeaders, Headers, RetryHeaders } from '@troupe/kit';
import { AVRO_CONTENT_TYPE, CLOUDEVENTS_SPEC_VERSION } from '@troupe/kit/internal';
import type { JsonObject } from './json';

/**
 * The Kafka headers of Troupe's records as JSON Schema objects (the AsyncAPI Schema format,
 * headers being UTF-8 strings on the wire): the CloudEvents headers every event carries, as
 * `envelopeHeaders` and `toMessage` write them, and the headers the failure router adds on the
 * retry and dead-letter topics (`retryHeaders`, `deadLetterHeaders`). Each is a component schema;
 * messages combine them with `allOf` and pin `ce_type` to their own type.
 *
 * `additionalProperties` stays open: a publisher may add its own headers (`OutgoingEvent.headers`).
 */
export const HEADER_SCHEMAS = {
  CloudEventsHeaders: cloudEventsHeaders(),
  RetryHeaders: retryHeaderSchema(),
  DeadLetterHeaders: deadLetterHeaderSchema(),
} as const satisfies Record<string, JsonObject>;

export type HeaderSchemaName = keyof typeof HEADER_SCHEMAS;

/** The headers of a message of `eventType`: the CloudEvents ones, plus `extra`'s (failure topics). */
export function messageHeaders(eventType: string, extra?: HeaderSchemaName): JsonObject {
  return {
    allOf: [
      schemaRef('CloudEventsHeaders'),
      ...(extra === undefined ? [] : [schemaRef(extra)]),
      { type: 'object', properties: { [Headers.type]: { type: 'string', const: eventType } } },
    ],
  };
}

export function schemaRef(name: string): JsonObject {
  return { $ref: `#/components/schemas/${name}` };
}

// Function declarations: HEADER_SCHEMAS above is built when the module loads.
function text(description: string, extra: JsonObject = {}): JsonObject {
  return { type: 'string', description, ...extra };
}
function isoTime(description: string): JsonObject {
  return text(description, { format: 'date-time' });
}
function integerText(description: string): JsonObject {
  return text(description, { pattern: '^[0-9]+$' });
}

function cloudEventsHeaders(): JsonObject {
  return {
    type: 'object',
    description:
      'CloudEvents 1.0 attributes in the Kafka protocol binding, binary content mode (ce_* headers), and W3C Trace Context, as @troupe/kit writes them on every event.',
    required: [
      Headers.specVersion,
      Headers.id,
      Headers.type,
      Headers.source,
      Headers.time,
      Headers.correlationId,
      Headers.contentType,
      Headers.traceparent,
    ],
    properties: {
      [Headers.specVersion]: text('The CloudEvents version.', { const: CLOUDEVENTS_SPEC_VERSION }),
      [Headers.id]: text(
        'The event id (a UUID unless the publisher gave one): the same across redeliveries and retry topics, and the default dedup key.',
      ),
      [Headers.type]: text('The event type: the full name of the Avro record in the payload.'),
      [Headers.source]: text('The publisher: the name of the service that published the event.'),
      [Headers.time]: isoTime('When the event was published (ISO 8601, UTC).'),
      [Headers.correlationId]: text(
        'The flow the event belongs to: the id of the flow’s first event, carried along by every event it causes (`troupe trace <id>` follows it).',
      ),
      [Headers.causationId]: text(
        'The id of the event whose handler published this one; absent on the first event of a flow.',
      ),
      [Headers.contentType]: text(
        'The payload’s encoding: Avro binary in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro body).',
        { const: AVRO_CONTENT_TYPE },
      ),
      [Headers.traceparent]: text(
        'W3C Trace Context: the publishing span, or a new trace when the publisher was not tracing.',
        { pattern: '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$' },
      ),
    },
    additionalProperties: true,
  };
}

function retryHeaderSchema(): JsonObject {
  const h = RetryHeaders;
  return {
    type: 'object',
    description:
      'Added by the failure router when it moves an event to a retry topic; the original CloudEvents headers, key and value are kept as they were.',
    required: Object.values(h),
    properties: {
      [h.originalTopic]: text('The main topic the event first arrived on.'),
      [h.originalPartition]: integerText('Its partition there.'),
      [h.originalOffset]: integerText('Its offset there.'),
      [h.service]: text(
        'The service whose handler failed: only that service’s retry consumer handles the record.',
      ),
      [h.level]: integerText('The retry level: n for `<topic>.retry.<n>`.'),
      [h.attempts]: integerText('Handler calls made so far, over all deliveries.'),
      [h.dueAt]: isoTime('The time before which the record must not be handled.'),
      [h.firstFailureAt]: isoTime('When the handler first failed on this event.'),
      [h.errorClass]: text('The class of the last error.'),
      [h.errorMessage]: text('The last error’s message, cut at 1000 characters.'),
    },
    additionalProperties: true,
  };
}

function deadLetterHeaderSchema(): JsonObject {
  const h = DeadLetterHeaders;
  return {
    type: 'object',
    description:
      'Added by the failure router when it gives up on an event (retries exhausted, or a permanent error); the original CloudEvents headers, key and value are kept as they were.',
    required: Object.values(h).filter((name) => name !== h.originalKey),
    properties: {
      [h.originalTopic]: text('The main topic the event first arrived on.'),
      [h.originalPartition]: integerText('Its partition there.'),
      [h.originalOffset]: integerText('Its offset there.'),
      [h.originalKey]: text('The record key, when it had one.'),
      [h.errorClass]: text('The class of the last error.'),
      [h.errorCode]: text(
        'The error code: a TroupeError’s code (PERMANENT, DECODE_INVALID_BODY, HANDLER_TIMEOUT, …), else the class name.',
      ),
      [h.errorMessage]: text('The last error’s message, cut at 1000 characters.'),
      [h.attempts]: integerText('Handler calls made, over all deliveries.'),
      [h.service]: text('The service whose handler gave up.'),
      [h.firstFailureAt]: isoTime('When the handler first failed on this event.'),
      [h.lastFailureAt]: isoTime('When it failed for the last time.'),
    },
    additionalProperties: true,
  };
}
