import { DecodeError, type DecodedEvent, type EventCodec } from '../../codec/codec';

/**
 * Payloads as JSON, with no schema registry: the codec for unit tests on the in-memory driver,
 * where the handler and the consume core are under test, not the wire format. A value that is
 * not JSON is a DecodeError (dead-lettered), as an undecodable Avro body is.
 */
export class JsonTestCodec implements EventCodec {
  async encode(_topic: string, _type: string, payload: unknown): Promise<Buffer> {
    return Buffer.from(JSON.stringify(payload));
  }

  async decode(
    _topic: string,
    type: string | undefined,
    value: Buffer | null,
  ): Promise<DecodedEvent> {
    if (!value || value.length === 0) throw new DecodeError('EMPTY_PAYLOAD', 'empty record value');
    if (type === undefined)
      throw new DecodeError('UNKNOWN_EVENT_TYPE', 'record without a ce_type header');
    try {
      return { type, payload: JSON.parse(value.toString()), schemaId: 0 };
    } catch (error) {
      throw new DecodeError('INVALID_BODY', `record value is not JSON: ${String(error)}`, {
        cause: error,
      });
    }
  }
}
