import { flowEvent } from './collect';
import { buildFlow, type TraceEvent } from './flow';
import { hopLine, hopOf } from './hop';
import { timelineJson, timelineLines } from './timeline';
import { withFailureTopics } from './trace-flow';

const original = {
  ce_id: 'e1',
  ce_type: 'troupe.test.Placed',
  ce_source: 'orders',
  ce_time: '2024-05-01T12:00:00.000Z',
  ce_correlationid: 'e1',
};
const record = (headers: Record<string, string>, timestamp: number) => ({
  key: Buffer.from('order-1'),
  value: Buffer.from('v'),
  offset: '0',
  timestamp: String(timestamp),
  headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
});
const base = Date.parse(original.ce_time);
const retried = {
  ...original,
  'troupe-retry-original-topic': 'orders',
  'troupe-retry-service': 'shipping',
  'troupe-retry-level': '1',
  'troupe-retry-attempts': '3',
  'troupe-retry-due-at': '2024-05-01T12:00:05.000Z',
  'troupe-retry-error-class': 'HandlerTimeoutError',
  'troupe-retry-error-message': 'handler did not finish in 5000 ms',
};
const deadLettered = {
  ...original,
  'troupe-dlq-original-topic': 'orders',
  'troupe-dlq-service': 'shipping',
  'troupe-dlq-attempts': '6',
  'troupe-dlq-error-class': 'PermanentError',
  'troupe-dlq-error-code': 'PERMANENT',
  'troupe-dlq-error-message': 'carrier: unknown carrier "zz"',
};

describe('hops through retry and dead-letter topics', () => {
  it('reads what moved a copy from its topic and headers', () => {
    expect(hopOf('orders', record(original, 0).headers)).toBeUndefined();
    expect(hopOf('orders.retry.1', record(retried, 0).headers)).toEqual({
      kind: 'retry',
      level: 1,
      service: 'shipping',
      attempts: 3,
      dueAt: '2024-05-01T12:00:05.000Z',
      errorClass: 'HandlerTimeoutError',
      errorMessage: 'handler did not finish in 5000 ms',
    });
    expect(hopLine(hopOf('orders.dlq', record(deadLettered, 0).headers)!)).toBe(
      'dead-lettered by shipping after 6 attempts: PERMANENT: carrier: unknown carrier "zz"',
    );
    expect(hopOf('orders.dlq', undefined)).toEqual({ kind: 'dead-letter' });
    expect(
      hopOf('orders', record({ 'troupe-redriven-from': 'orders.dlq:1:7' }, 0).headers),
    ).toEqual({ kind: 'redriven', from: 'orders.dlq:1:7' });
  });

  it('a dead-lettered flow: the copies under the first delivery, marked, timed when they were moved', () => {
    const events = [
      flowEvent('orders', 0, record(original, base + 5), 'e1'),
      flowEvent('orders.retry.1', 2, record(retried, base + 1_000), 'e1'),
      flowEvent('orders.dlq', 1, record(deadLettered, base + 6_000), 'e1'),
    ] as TraceEvent[];
    const lines = timelineLines(buildFlow(events));
    expect(lines).toEqual([
      'TIME     TOPIC           EVENT                                ID  CAUSED BY  SOURCE',
      '+0ms     orders          troupe.test.Placed                   e1  -          orders',
      '+1.000s  orders.retry.1  └─ troupe.test.Placed (retry 1)      e1  -          orders',
      '     retry 1 by shipping after 3 attempts, due 2024-05-01T12:00:05.000Z: HandlerTimeoutError: handler did not finish in 5000 ms',
      '+6.000s  orders.dlq      └─ troupe.test.Placed (dead letter)  e1  -          orders',
      '     dead-lettered by shipping after 6 attempts: PERMANENT: carrier: unknown carrier "zz"',
    ]);
    const json = timelineJson(buildFlow(events)).map((line) => JSON.parse(line));
    expect(json.map((e) => [e.topic, e.depth, e.elapsedMs, e.hop?.kind])).toEqual([
      ['orders', 0, 0, undefined],
      ['orders.retry.1', 1, 1000, 'retry'],
      ['orders.dlq', 1, 6000, 'dead-letter'],
    ]);
    expect(json[2].hop).toMatchObject({ errorCode: 'PERMANENT', service: 'shipping', attempts: 6 });
  });

  it('reads each topic with the retry and dead-letter topics that exist for it', () => {
    const existing = [
      'orders',
      'orders.retry.10',
      'orders.retry.2',
      'orders.dlq',
      'orders.elsewhere',
      'orders.elsewhere.dlq',
      'alerts',
      'alerts.retry.x',
    ];
    expect(withFailureTopics(['orders', 'alerts'], existing)).toEqual([
      'orders',
      'orders.retry.2',
      'orders.retry.10',
      'orders.dlq',
      'alerts',
    ]);
    expect(withFailureTopics(['orders.dlq', 'orders', 'orders.dlq'], existing)).toEqual([
      'orders.dlq',
      'orders',
      'orders.retry.2',
      'orders.retry.10',
    ]);
  });
});
