import { DecodeError } from './codec';
import { MAGIC_BYTE, WIRE_HEADER_SIZE, readSchemaId, writeWireHeader } from './wire-format';

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof DecodeError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('Confluent wire format', () => {
  it('writes magic byte 0 and the schema id big-endian', () => {
    const buffer = Buffer.alloc(WIRE_HEADER_SIZE + 2);
    writeWireHeader(buffer, 0x01020304);
    expect([...buffer.subarray(0, WIRE_HEADER_SIZE)]).toEqual([MAGIC_BYTE, 1, 2, 3, 4]);
  });

  it('reads back the schema id, including ids above 2^31', () => {
    for (const id of [1, 258, 0x7fffffff, 0xfffffffe]) {
      const buffer = Buffer.alloc(WIRE_HEADER_SIZE);
      writeWireHeader(buffer, id);
      expect(readSchemaId(buffer)).toBe(id);
    }
  });

  it('accepts a header with an empty body (a record with no fields)', () => {
    expect(readSchemaId(Buffer.from([0, 0, 0, 0, 7]))).toBe(7);
  });

  it('rejects null and empty values as EMPTY_PAYLOAD', () => {
    expect(reasonOf(() => readSchemaId(null))).toBe('EMPTY_PAYLOAD');
    expect(reasonOf(() => readSchemaId(Buffer.alloc(0)))).toBe('EMPTY_PAYLOAD');
  });

  it('rejects a wrong magic byte, saying what it found', () => {
    const json = Buffer.from('{"releaseId":"r1"}');
    expect(reasonOf(() => readSchemaId(json))).toBe('WRONG_MAGIC_BYTE');
    expect(() => readSchemaId(json)).toThrow(/expected magic byte 0 .*found 123/);
  });

  it('rejects a value shorter than the header as TRUNCATED', () => {
    expect(reasonOf(() => readSchemaId(Buffer.from([0, 0, 1])))).toBe('TRUNCATED');
    expect(() => readSchemaId(Buffer.from([0, 0, 1]))).toThrow(/at least 5 bytes .*found 3/);
  });

  it('gives each reason its own error code', () => {
    try {
      readSchemaId(Buffer.from([1, 0, 0, 0, 1]));
    } catch (error) {
      expect((error as DecodeError).code).toBe('DECODE_WRONG_MAGIC_BYTE');
    }
  });
});
