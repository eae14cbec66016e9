import { decodeEntry, entriesFromReadReply } from './redis-outbox';

describe('Redis outbox replies', () => {
  const entry: [Buffer, Buffer[]] = [Buffer.from('1-0'), [Buffer.from('topic'), Buffer.from('t')]];

  test('XREADGROUP entries in RESP2 and RESP3 shapes, and when empty', () => {
    expect(entriesFromReadReply([[Buffer.from('s'), [entry]]])).toEqual([entry]);
    expect(entriesFromReadReply([Buffer.from('s'), [entry]])).toEqual([entry]);
    expect(entriesFromReadReply(null)).toEqual([]);
    expect(entriesFromReadReply([])).toEqual([]);
  });

  test('an entry decodes back to a Kafka message; a deleted one is null', () => {
    const fields = [
      'topic',
      'orders',
      'agg',
      'o-1',
      'key',
      'o-1',
      'value',
      'v',
      'headers',
      '{"ce_id":"e","b":{"b64":"AQ=="}}',
    ].map((f) => Buffer.from(f));
    expect(decodeEntry('5-0', fields)).toEqual({
      id: '5-0',
      topic: 'orders',
      aggregateKey: 'o-1',
      key: Buffer.from('o-1'),
      value: Buffer.from('v'),
      headers: { ce_id: 'e', b: Buffer.from([1]) },
    });
    expect(decodeEntry('6-0', null)).toBeNull();
    expect(decodeEntry('7-0', [Buffer.from('topic'), Buffer.from('t')])).toMatchObject({
      key: null,
      value: null,
      headers: {},
    });
  });
});
