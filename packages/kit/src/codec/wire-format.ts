import { DecodeError } from './codec';

/**
 * Confluent wire format: one magic byte (0), the writer schema id as a 4-byte big-endian
 * integer, then the Avro binary body. Any Confluent-compatible tool can read what we write.
 */
export const MAGIC_BYTE = 0;
export const WIRE_HEADER_SIZE = 5;

export function writeWireHeader(target: Buffer, schemaId: number): void {
  target[0] = MAGIC_BYTE;
  target.writeUInt32BE(schemaId, 1);
}

/**
 * Returns the writer schema id of a wire-format message.
 * @throws DecodeError EMPTY_PAYLOAD, WRONG_MAGIC_BYTE or TRUNCATED (shorter than the header).
 */
export function readSchemaId(value: Buffer | null | undefined): number {
  if (value === null || value === undefined || value.length === 0) {
    throw new DecodeError(
      'EMPTY_PAYLOAD',
      'expected a Confluent wire-format Avro payload, found an empty value (tombstone?)',
    );
  }
  if (value[0] !== MAGIC_BYTE) {
    throw new DecodeError(
      'WRONG_MAGIC_BYTE',
      `expected magic byte 0 (Confluent wire format), found ${value[0]} in the first byte of a ${value.length}-byte payload ` +
        `(starts with 0x${value.subarray(0, 8).toString('hex')})`,
    );
  }
  if (value.length < WIRE_HEADER_SIZE) {
    throw new DecodeError(
      'TRUNCATED',
      `expected at least ${WIRE_HEADER_SIZE} bytes (magic byte and 4-byte schema id), found ${value.length}`,
    );
  }
  return value.readUInt32BE(1);
}
