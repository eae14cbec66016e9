/**
 * Event metadata travels in Kafka headers following the CloudEvents Kafka protocol binding
 * (binary content mode), so any CloudEvents-aware tool can read it and routing needs no decode.
 * Correlation and causation are CloudEvents extension attributes; traceparent is W3C Trace Context.
 */
export const Headers = {
  specVersion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  time: 'ce_time',
  correlationId: 'ce_correlationid',
  causationId: 'ce_causationid',
  contentType: 'content-type',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

export const CLOUDEVENTS_SPEC_VERSION = '1.0';
/** Confluent wire format: magic byte 0, 4-byte schema id, Avro body. */
export const AVRO_CONTENT_TYPE = 'application/vnd.apache.avro+confluent';

/** Kafka record headers as clients hand them over: Buffers or strings, repeated ones as arrays. */
export type RawHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/** Reads one header as a string; Kafka gives Buffers, repeated headers come as arrays (last wins). */
export function headerString(headers: RawHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return last === undefined ? undefined : last.toString();
}
