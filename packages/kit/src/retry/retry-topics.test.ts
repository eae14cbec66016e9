import {
  deadLetterHeaders,
  readDeliveryHistory,
  retryHeaders,
  DeadLetterHeaders,
  RetryHeaders,
  withoutFailureHeaders,
} from './failure-headers';
import {
  deadLetterTopicName,
  failureTopicsFor,
  msUntilDue,
  nextDestination,
  parseRetryTopic,
  retryTopicName,
} from './retry-topics';

const delaysMs = [1_000, 10_000, 60_000];
const now = new Date('2030-01-01T00:00:00.000Z');

test('names: <topic>.retry.<n> and <topic>.dlq, and back', () => {
  expect(retryTopicName('releases', 2)).toBe('releases.retry.2');
  expect(deadLetterTopicName('releases')).toBe('releases.dlq');
  expect(parseRetryTopic('releases.retry.2')).toEqual({ topic: 'releases', level: 2 });
  expect(parseRetryTopic('a.b.retry.10')).toEqual({ topic: 'a.b', level: 10 });
  expect(parseRetryTopic('releases')).toBeUndefined();
  expect(parseRetryTopic('releases.retry.0')).toBeUndefined();
  expect(parseRetryTopic('releases.dlq')).toBeUndefined();
  expect(failureTopicsFor('t', delaysMs)).toEqual({
    retry: ['t.retry.1', 't.retry.2', 't.retry.3'],
    deadLetter: 't.dlq',
  });
  expect(failureTopicsFor('t', [])).toEqual({ retry: [], deadLetter: 't.dlq' });
});

test('retryable failures climb the retry topics with their delays, then reach the DLQ', () => {
  const hop = (level: number) =>
    nextDestination({ topic: 't', level, kind: 'retryable', delaysMs, now });
  expect(hop(0)).toEqual({
    kind: 'retry',
    topic: 't.retry.1',
    level: 1,
    dueAt: new Date(now.getTime() + 1_000),
  });
  expect(hop(1)).toEqual({
    kind: 'retry',
    topic: 't.retry.2',
    level: 2,
    dueAt: new Date(now.getTime() + 10_000),
  });
  expect(hop(2)).toEqual({
    kind: 'retry',
    topic: 't.retry.3',
    level: 3,
    dueAt: new Date(now.getTime() + 60_000),
  });
  expect(hop(3)).toEqual({ kind: 'dead-letter', topic: 't.dlq' });
});

test('permanent failures, or no retry topics, go straight to the DLQ', () => {
  expect(nextDestination({ topic: 't', level: 0, kind: 'permanent', delaysMs, now })).toEqual({
    kind: 'dead-letter',
    topic: 't.dlq',
  });
  expect(nextDestination({ topic: 't', level: 0, kind: 'retryable', delaysMs: [], now })).toEqual({
    kind: 'dead-letter',
    topic: 't.dlq',
  });
});

test('due time: wait the remainder, 0 once due or without a due time', () => {
  const due = new Date(10_000);
  expect(msUntilDue(due, 9_000)).toBe(1_000);
  expect(msUntilDue(due, 10_000)).toBe(0);
  expect(msUntilDue(due, 12_000)).toBe(0);
  expect(msUntilDue(undefined, 0)).toBe(0);
  expect(msUntilDue(new Date('not a date'), 0)).toBe(0);
});

test('retry headers carry the origin forward; the DLQ headers say where it came from and why', () => {
  const first = readDeliveryHistory(
    { ce_id: Buffer.from('e1') },
    { topic: 't', partition: 3, offset: '42' },
  );
  expect(first).toEqual({
    originalTopic: 't',
    originalPartition: 3,
    originalOffset: '42',
    level: 0,
    priorAttempts: 0,
  });

  const error = Object.assign(new Error('boom'), { name: 'TypeError' });
  const failedAt = new Date('2030-01-01T00:00:01.000Z');
  const hop1 = retryHeaders(
    { history: first, service: 'svc', error, errorCode: 'TypeError', attempts: 3, failedAt },
    1,
    new Date('2030-01-01T00:00:02.000Z'),
  );
  // As consumed from t.retry.1 (Kafka hands back Buffers).
  const consumed = Object.fromEntries(
    Object.entries({ ...hop1, ce_id: 'e1' }).map(([k, v]) => [k, Buffer.from(v)]),
  );
  const second = readDeliveryHistory(consumed, { topic: 't.retry.1', partition: 0, offset: '7' });
  expect(second).toEqual({
    originalTopic: 't',
    originalPartition: 3,
    originalOffset: '42',
    level: 1,
    priorAttempts: 3,
    firstFailureAt: '2030-01-01T00:00:01.000Z',
    dueAt: new Date('2030-01-01T00:00:02.000Z'),
    service: 'svc',
  });

  const lastAt = new Date('2030-01-01T00:01:00.000Z');
  const dlq = deadLetterHeaders({
    history: second,
    service: 'svc',
    error,
    errorCode: 'TypeError',
    attempts: 6,
    failedAt: lastAt,
    key: 'k1',
  });
  expect(dlq).toEqual({
    [DeadLetterHeaders.originalTopic]: 't',
    [DeadLetterHeaders.originalPartition]: '3',
    [DeadLetterHeaders.originalOffset]: '42',
    [DeadLetterHeaders.originalKey]: 'k1',
    [DeadLetterHeaders.errorClass]: 'TypeError',
    [DeadLetterHeaders.errorCode]: 'TypeError',
    [DeadLetterHeaders.errorMessage]: 'boom',
    [DeadLetterHeaders.attempts]: '6',
    [DeadLetterHeaders.service]: 'svc',
    [DeadLetterHeaders.firstFailureAt]: '2030-01-01T00:00:01.000Z',
    [DeadLetterHeaders.lastFailureAt]: '2030-01-01T00:01:00.000Z',
  });

  const kept = withoutFailureHeaders(consumed);
  expect(Object.keys(kept)).toEqual(['ce_id']);
  expect(kept[RetryHeaders.level]).toBeUndefined();
});

test('long error messages are cut to 1000 characters', () => {
  const history = readDeliveryHistory({}, { topic: 't', partition: 0, offset: '0' });
  const headers = deadLetterHeaders({
    history,
    service: 's',
    error: new Error('x'.repeat(5_000)),
    errorCode: 'Error',
    attempts: 1,
    failedAt: now,
  });
  expect(headers[DeadLetterHeaders.errorMessage]).toHaveLength(1000);
});
