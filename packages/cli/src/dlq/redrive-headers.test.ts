import { redriveDestination, redrivenMessage } from './redrive-headers';

const headers = {
  ce_id: Buffer.from('evt-1'),
  ce_type: Buffer.from('troupe.releases.Promoted'),
  ce_correlationid: Buffer.from('flow-1'),
  ce_causationid: Buffer.from('evt-0'),
  traceparent: Buffer.from('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
  'content-type': Buffer.from('application/vnd.apache.avro+confluent'),
  'troupe-dlq-original-topic': Buffer.from('releases.events'),
  'troupe-dlq-original-key': Buffer.from('rel-9'),
  'troupe-dlq-error-code': Buffer.from('HANDLER_TIMEOUT'),
  'troupe-retry-attempts': Buffer.from('3'),
  'troupe-redriven-from': Buffer.from('releases.events.dlq:0:1'),
  'x-custom': [Buffer.from('a'), Buffer.from('b')],
};

describe('redrivenMessage', () => {
  const value = Buffer.from([0, 0, 0, 0, 7, 1, 2, 3]);
  const at = { topic: 'releases.events.dlq', partition: 2, offset: '41' };

  it('keeps key, value and CloudEvents headers, drops failure headers, names where it came from', () => {
    const message = redrivenMessage({ key: Buffer.from('rel-9'), value, headers }, at);
    expect(message.key).toEqual(Buffer.from('rel-9'));
    expect(message.value).toBe(value);
    expect(Object.keys(message.headers!).sort()).toEqual([
      'ce_causationid',
      'ce_correlationid',
      'ce_id',
      'ce_type',
      'content-type',
      'traceparent',
      'troupe-redriven-from',
      'x-custom',
    ]);
    expect(message.headers!.ce_id).toEqual(Buffer.from('evt-1'));
    expect(message.headers!['x-custom']).toEqual([Buffer.from('a'), Buffer.from('b')]);
    expect(message.headers!['troupe-redriven-from']).toBe('releases.events.dlq:2:41');
  });

  it('takes the key from troupe-dlq-original-key when the record has none', () => {
    expect(redrivenMessage({ key: null, value, headers }, at).key).toEqual(Buffer.from('rel-9'));
    expect(redrivenMessage({ key: null, value, headers: {} }, at).key).toBeNull();
  });
});

describe('redriveDestination', () => {
  it('is --to when given, else the original topic header, else unknown', () => {
    expect(redriveDestination(headers, 'elsewhere')).toBe('elsewhere');
    expect(redriveDestination(headers)).toBe('releases.events');
    expect(redriveDestination({})).toBeUndefined();
  });
});
