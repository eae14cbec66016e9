import { deadLetterCells, deadLetterRow, matchesFilter } from './dead-letter-row';

const failed = {
  ce_id: Buffer.from('evt-1'),
  ce_type: Buffer.from('troupe.releases.Promoted'),
  ce_correlationid: Buffer.from('flow-1'),
  'troupe-dlq-original-topic': Buffer.from('releases.events'),
  'troupe-dlq-original-key': Buffer.from('rel-9'),
  'troupe-dlq-error-class': Buffer.from('ValidationError'),
  'troupe-dlq-error-code': Buffer.from('VALIDATION_FAILED'),
  'troupe-dlq-error-message': Buffer.from('canaryShare: expected a number\nfound "x"'),
  'troupe-dlq-attempts': Buffer.from('4'),
  'troupe-dlq-service': Buffer.from('canary'),
  'troupe-dlq-first-failure-at': Buffer.from('2024-05-01T10:00:00.000Z'),
  'troupe-dlq-last-failure-at': Buffer.from('2024-05-01T10:05:00.000Z'),
};

describe('deadLetterRow', () => {
  it('reads the CloudEvents and troupe-dlq-* headers (as Kafka gives them: Buffers)', () => {
    const row = deadLetterRow({
      partition: 2,
      offset: '17',
      key: Buffer.from('rel-9'),
      headers: failed,
    });
    expect(row).toEqual({
      partition: 2,
      offset: '17',
      key: 'rel-9',
      eventType: 'troupe.releases.Promoted',
      eventId: 'evt-1',
      errorCode: 'VALIDATION_FAILED',
      errorClass: 'ValidationError',
      errorMessage: 'canaryShare: expected a number\nfound "x"',
      service: 'canary',
      attempts: 4,
      originalTopic: 'releases.events',
      firstFailureAt: '2024-05-01T10:00:00.000Z',
      lastFailureAt: '2024-05-01T10:05:00.000Z',
    });
    expect(deadLetterCells(row)).toEqual([
      '2:17',
      'rel-9',
      'troupe.releases.Promoted',
      'VALIDATION_FAILED: canaryShare: expected a number found "x"',
      'canary',
      '4',
      '2024-05-01T10:05:00.000Z',
    ]);
  });

  it('falls back to the original-key header for a record without a key', () => {
    expect(deadLetterRow({ partition: 0, offset: '1', key: null, headers: failed }).key).toBe(
      'rel-9',
    );
  });

  it('shows - for every header a foreign record lacks, and shortens long errors', () => {
    const bare = deadLetterRow({ partition: 0, offset: '3', key: null, headers: {} });
    expect(deadLetterCells(bare)).toEqual(['0:3', '-', '-', '-', '-', '-', '-']);
    const long = deadLetterRow({
      partition: 0,
      offset: '4',
      key: null,
      headers: { 'troupe-dlq-error-message': 'x'.repeat(500), 'troupe-dlq-attempts': 'many' },
    });
    const cells = deadLetterCells(long);
    expect(cells[3]).toHaveLength(72);
    expect(cells[3]!.endsWith('…')).toBe(true);
    expect(long.attempts).toBeUndefined();
  });

  it('notes a record that was redriven before and failed again', () => {
    const row = deadLetterRow({
      partition: 0,
      offset: '5',
      key: null,
      headers: { 'troupe-redriven-from': 'releases.events.dlq:1:9' },
    });
    expect(row.redrivenFrom).toBe('releases.events.dlq:1:9');
  });
});

describe('matchesFilter', () => {
  const row = deadLetterRow({ partition: 0, offset: '1', key: null, headers: failed });
  it.each([
    [{}, true],
    [{ eventType: 'troupe.releases.Promoted' }, true],
    [{ eventType: 'troupe.releases' }, false],
    [{ error: 'VALIDATION_FAILED' }, true],
    [{ error: 'ValidationError' }, true],
    [{ error: 'HANDLER_TIMEOUT' }, false],
    [{ eventType: 'troupe.releases.Promoted', error: 'HANDLER_TIMEOUT' }, false],
  ])('%j → %s', (filter, expected) => {
    expect(matchesFilter(row, filter)).toBe(expected);
  });
});
