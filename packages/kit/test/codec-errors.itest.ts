import {
  AvroCodec,
  DecodeError,
  PermanentError,
  RegistryError,
  SchemaRegistryClient,
  UnknownEventTypeError,
  ValidationError,
  createSchemaCatalog,
} from '@troupe/kit';
import { type DecodeFailure } from '@troupe/kit/internal';
import { closedPort } from '@troupe/testkit';
import { registryUrlFromEnv, thrownBy, uniqueTopic } from './codec-helpers';

/** Every way a payload can fail, produced from real bytes and a real registry. */
const schema = {
  type: 'record',
  name: 'OrderPlaced',
  namespace: 'test.errors',
  fields: [
    { name: 'orderId', type: 'string' },
    { name: 'quantity', type: 'int' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'customer', type: 'string' },
  ],
};
const EVENT = 'test.errors.OrderPlaced';
const payload = { orderId: 'o-1', quantity: 2, note: null, customer: 'ada lovelace' };

async function decodeFailure(
  codec: AvroCodec,
  bytes: Buffer | null,
  type: string | undefined = EVENT,
): Promise<DecodeError> {
  const error = await thrownBy(() => codec.decode('t', type, bytes));
  expect(error).toBeInstanceOf(DecodeError);
  return error as DecodeError;
}

function expectReason(error: DecodeError, reason: DecodeFailure, message: RegExp): void {
  expect(error.reason).toBe(reason);
  expect(error.code).toBe(`DECODE_${reason}`);
  expect(error.message).toMatch(message);
}

describe('AvroCodec failures', () => {
  const registry = new SchemaRegistryClient(registryUrlFromEnv());
  const catalog = createSchemaCatalog([{ schema, source: 'OrderPlaced.avsc' }]);
  const codec = new AvroCodec({ registry, catalog });
  const topic = uniqueTopic('errors');
  let good: Buffer;

  beforeAll(async () => {
    good = await codec.encode(topic, EVENT, payload);
  });

  it('EMPTY_PAYLOAD: a tombstone', async () => {
    expectReason(await decodeFailure(codec, null), 'EMPTY_PAYLOAD', /found an empty value/);
  });

  it('WRONG_MAGIC_BYTE: a payload that is not Confluent wire format', async () => {
    const bytes = Buffer.from(good);
    bytes[0] = 1;
    expectReason(
      await decodeFailure(codec, bytes),
      'WRONG_MAGIC_BYTE',
      /expected magic byte 0 .*found 1/,
    );
    const json = Buffer.from(JSON.stringify(payload));
    expectReason(await decodeFailure(codec, json), 'WRONG_MAGIC_BYTE', /found 123/);
  });

  it('UNKNOWN_SCHEMA_ID: an id the registry answers 404 for', async () => {
    const bytes = Buffer.from(good);
    bytes.writeUInt32BE(0x7ffffff0, 1);
    const error = await decodeFailure(new AvroCodec({ registry, catalog }), bytes);
    expectReason(error, 'UNKNOWN_SCHEMA_ID', new RegExp(`found id ${0x7ffffff0} \\(404\\)`));
  });

  it('TRUNCATED: a body that ends mid-value, or no room for the schema id', async () => {
    const cut = good.subarray(0, good.length - 4);
    expectReason(
      await decodeFailure(codec, cut),
      'TRUNCATED',
      /complete test\.errors\.OrderPlaced body .*end mid-value/,
    );
    expectReason(
      await decodeFailure(codec, good.subarray(0, 3)),
      'TRUNCATED',
      /at least 5 bytes .*found 3/,
    );
  });

  it('INVALID_BODY: trailing bytes, or bytes that are not this record', async () => {
    const trailing = Buffer.concat([good, Buffer.from([1, 2, 3])]);
    expectReason(await decodeFailure(codec, trailing), 'INVALID_BODY', /found 3 trailing bytes/);
    // orderId "o-1" is 0x06 'o' '-' '1', quantity 0x04, then the union branch index: make it 9.
    const badUnion = Buffer.from(good);
    badUnion[5 + 4 + 1] = 18; // zigzag(9)
    expectReason(await decodeFailure(codec, badUnion), 'INVALID_BODY', /do not decode/);
  });

  it('UNRESOLVABLE_SCHEMA: a writer schema the reader cannot read', async () => {
    // Same record name, but quantity became a string: no Avro promotion reads a string as an int.
    const incompatible = {
      ...schema,
      fields: schema.fields.map((field) =>
        field.name === 'quantity' ? { name: 'quantity', type: 'string' } : field,
      ),
    };
    const writer = new AvroCodec({
      registry,
      catalog: createSchemaCatalog([{ schema: incompatible }]),
    });
    const bytes = await writer.encode(uniqueTopic('errors-other'), EVENT, {
      ...payload,
      quantity: 'two',
    });
    const error = await decodeFailure(new AvroCodec({ registry, catalog }), bytes);
    expectReason(
      error,
      'UNRESOLVABLE_SCHEMA',
      /reader schema test\.errors\.OrderPlaced cannot read writer schema \d+/,
    );
  });

  it('UNKNOWN_EVENT_TYPE: an event type this service has no reader schema for', async () => {
    const error = await decodeFailure(codec, good, 'test.errors.Unknown');
    expectReason(
      error,
      'UNKNOWN_EVENT_TYPE',
      /expected one of the event types .*test\.errors\.OrderPlaced.*found "test\.errors\.Unknown"/,
    );
  });

  it('a payload that does not match its schema is a ValidationError naming the field', async () => {
    for (const fresh of [codec, new AvroCodec({ registry, catalog })]) {
      // The cached path (codec) and the first-encode path (fresh) report alike.
      const error = await thrownBy(() => fresh.encode(topic, EVENT, { ...payload, quantity: '2' }));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toBeInstanceOf(PermanentError);
      expect((error as ValidationError).fieldPath).toBe('quantity');
      expect(error.message).toBe(
        'test.errors.OrderPlaced: invalid payload at quantity: expected an int (32-bit integer), found string "2"',
      );
    }
  });

  it('an unreachable registry is a retryable RegistryError, never a DecodeError', async () => {
    const port = await closedPort();
    const offline = new SchemaRegistryClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 2000 });
    const cold = new AvroCodec({ registry: offline, catalog });
    const decodeError = await thrownBy(() => cold.decode(topic, EVENT, good));
    expect(decodeError).toBeInstanceOf(RegistryError);
    expect((decodeError as RegistryError).code).toBe('REGISTRY_UNAVAILABLE');
    expect(decodeError.message).toMatch(
      new RegExp(
        `schema registry GET http://127\\.0\\.0\\.1:${port}/schemas/ids/\\d+: ECONNREFUSED`,
      ),
    );
    const encodeError = await thrownBy(() => cold.encode(topic, EVENT, payload));
    expect((encodeError as RegistryError).code).toBe('REGISTRY_UNAVAILABLE');
  });

  it('encoding an event type the catalog lacks is a permanent UnknownEventTypeError', async () => {
    const error = await thrownBy(() => codec.encode(topic, 'test.errors.Unknown', payload));
    expect(error).toBeInstanceOf(UnknownEventTypeError);
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toBe(
      'no schema for event type "test.errors.Unknown"; the catalog has test.errors.OrderPlaced',
    );
  });
});
