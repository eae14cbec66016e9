import { AvroCodec, type SchemaRegistryClient } from '@troupe/kit';
import type { TraceEvent } from './flow';

/** Decodes an event's payload, or says why it could not be: a trace shows what it can. */
export type PayloadDecoder = (event: TraceEvent) => Promise<unknown>;

/**
 * Payload decoding for `troupe trace --payload`: kit's AvroCodec with the writer schema from the
 * registry and the reader schemas of @troupe/contracts (loaded only when asked for, so the rest
 * of the CLI works even while the generated contracts are being rebuilt). Never registers.
 */
export async function payloadDecoder(registry: SchemaRegistryClient): Promise<PayloadDecoder> {
  const { contractsCatalog } = await import('@troupe/contracts');
  const codec = new AvroCodec({
    registry,
    catalog: contractsCatalog(),
    autoRegister: false,
  });
  return async (event) => {
    try {
      const decoded = await codec.decode(event.topic, event.type, event.value, event.headers);
      return toJsonValue(decoded.payload);
    } catch (error) {
      return { undecodable: error instanceof Error ? error.message : String(error) };
    }
  };
}

/** Avro values as JSON can show them: Dates as ISO text, bytes as base64, longs as text. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJsonValue(v)]),
    );
  }
  return value;
}
