import { ConfigError } from '../errors';
import { decodeHeaders, encodeHeaders, isOutgoingEvent, toOutboxRecord } from './message';

describe('outbox messages', () => {
  test('headers survive JSON: strings stay strings, bytes round-trip, arrays keep order', () => {
    const headers = {
      ce_id: 'abc',
      bin: Buffer.from([0, 255, 10]),
      many: ['a', Buffer.from('b')],
      gone: undefined,
    };
    const stored = JSON.parse(JSON.stringify(encodeHeaders(headers)));
    expect(stored).toEqual({ ce_id: 'abc', bin: { b64: 'AP8K' }, many: ['a', { b64: 'Yg==' }] });
    const back = decodeHeaders(stored);
    expect(back.ce_id).toBe('abc');
    expect(back.bin).toEqual(Buffer.from([0, 255, 10]));
    expect(back.many).toEqual(['a', Buffer.from('b')]);
    expect('gone' in back).toBe(false);
  });

  test('an encoded message keeps its bytes; the aggregate defaults to the key', async () => {
    const record = await toOutboxRecord(
      { topic: 't', key: 'order-1', value: Buffer.from('v') },
      undefined,
    );
    expect(record).toEqual({
      topic: 't',
      aggregateKey: 'order-1',
      key: Buffer.from('order-1'),
      value: Buffer.from('v'),
      headers: {},
    });
    const explicit = await toOutboxRecord(
      { topic: 't', key: 'k', value: null, aggregateKey: 'agg' },
      undefined,
    );
    expect(explicit.aggregateKey).toBe('agg');
    expect(explicit.value).toBeNull();
    const keyless = await toOutboxRecord({ topic: 't', value: 'v' }, undefined);
    expect(keyless.aggregateKey).toBe('');
    expect(keyless.key).toBeNull();
  });

  test('an OutgoingEvent is encoded by the encoder; its key is the aggregate', async () => {
    const event = { type: 'OrderPlaced', payload: { id: 1 }, key: 'order-9', topic: 'orders' };
    expect(isOutgoingEvent(event)).toBe(true);
    const record = await toOutboxRecord(event, async (e) => ({
      key: e.key,
      value: Buffer.from(JSON.stringify(e.payload)),
      headers: { ce_type: e.type },
    }));
    expect(record.topic).toBe('orders');
    expect(record.aggregateKey).toBe('order-9');
    expect(record.headers).toEqual({ ce_type: 'OrderPlaced' });
  });

  test('an OutgoingEvent without an encoder is a configuration error', async () => {
    await expect(
      toOutboxRecord({ type: 'X', payload: {}, key: 'k', topic: 't' }, undefined),
    ).rejects.toThrow(ConfigError);
  });
});
