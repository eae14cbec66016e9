import { flowEvent } from './collect';

const record = (headers: Record<string, string>, timestamp = '1714564800000') => ({
  key: Buffer.from('rel-1'),
  value: Buffer.from('v'),
  offset: '3',
  timestamp,
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
});

describe('flowEvent', () => {
  it('keeps a record of the flow, reading the CloudEvents headers', () => {
    const event = flowEvent(
      'releases.events',
      1,
      record({
        ce_id: 'e2',
        ce_type: 'troupe.releases.TestsPassed',
        ce_source: 'verifier',
        ce_time: '2024-05-01T12:00:01.250Z',
        ce_correlationid: 'flow-1',
        ce_causationid: 'e1',
      }),
      'flow-1',
    );
    expect(event).toMatchObject({
      id: 'e2',
      type: 'troupe.releases.TestsPassed',
      source: 'verifier',
      time: Date.parse('2024-05-01T12:00:01.250Z'),
      correlationId: 'flow-1',
      causationId: 'e1',
      topic: 'releases.events',
      partition: 1,
      offset: '3',
      key: 'rel-1',
    });
  });

  it('matches on ce_id too, and falls back to the record timestamp without ce_time', () => {
    const event = flowEvent(
      't',
      0,
      record({ ce_id: 'flow-1', ce_correlationid: 'other' }),
      'flow-1',
    );
    expect(event?.time).toBe(1714564800000);
  });

  it('skips other flows and records without ce_id', () => {
    expect(
      flowEvent('t', 0, record({ ce_id: 'x', ce_correlationid: 'other' }), 'flow-1'),
    ).toBeUndefined();
    expect(flowEvent('t', 0, record({ ce_correlationid: 'flow-1' }), 'flow-1')).toBeUndefined();
  });
});
