import { parseDuration, parseSince } from './since';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');

describe('parseDuration', () => {
  it.each([
    ['250ms', 250],
    ['90s', 90_000],
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['2d', 172_800_000],
    ['1w', 604_800_000],
  ])('%s → %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '1', 'h', '1y', '-1h', '1 h', '0s', 'yesterday'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('parseSince', () => {
  it('counts a duration back from now', () => {
    expect(parseSince('1h', NOW)).toBe(Date.parse('2024-05-01T11:00:00.000Z'));
  });

  it('takes an ISO-8601 time, with or without zone', () => {
    expect(parseSince('2024-05-01T10:30:00Z', NOW)).toBe(Date.parse('2024-05-01T10:30:00Z'));
    expect(parseSince('2024-04-30', NOW)).toBe(Date.parse('2024-04-30'));
  });

  it('rejects anything else in one line naming the flag', () => {
    expect(() => parseSince('yesterday', NOW)).toThrow(
      '--since: expected a duration such as 30m, 1h or 2d, or an ISO-8601 time, found "yesterday"',
    );
    expect(() => parseSince('2024-13-45T99:00Z', NOW)).toThrow(/^--since: expected a duration/);
  });

  it('rejects a time in the future', () => {
    expect(() => parseSince('2030-01-01T00:00:00Z', NOW)).toThrow(
      '--since: expected a time in the past, found 2030-01-01T00:00:00.000Z',
    );
  });
});
