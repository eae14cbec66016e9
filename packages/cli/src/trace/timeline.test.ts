import { buildFlow, type TraceEvent } from './flow';
import { indented, relativeTime, timelineJson, timelineLines } from './timeline';

describe('relativeTime', () => {
  it.each([
    [0, '+0ms'],
    [250, '+250ms'],
    [1_250, '+1.250s'],
    [59_999, '+59.999s'],
    [123_500, '+2m03.5s'],
    [3_723_000, '+1h02m03s'],
    [-40, '-40ms'],
  ])('%d → %s', (ms, text) => expect(relativeTime(ms)).toBe(text));
});

describe('indented', () => {
  it('draws one └─ per level, three columns deeper each time', () => {
    expect(indented('t', 0)).toBe('t');
    expect(indented('t', 1)).toBe('└─ t');
    expect(indented('t', 3)).toBe('      └─ t');
  });
});

const base = Date.parse('2024-05-01T12:00:00.000Z');
const events: TraceEvent[] = [
  {
    id: 'e1',
    type: 'troupe.releases.ReleaseRequested',
    source: 'releases',
    time: base,
    correlationId: 'e1',
    topic: 'releases.events',
    partition: 0,
    offset: '7',
    key: 'rel-1',
    value: null,
  },
  {
    id: 'e2',
    type: 'troupe.releases.TestsPassed',
    source: 'verifier',
    time: base + 1_250,
    correlationId: 'e1',
    causationId: 'e1',
    topic: 'releases.events',
    partition: 0,
    offset: '8',
    value: null,
  },
  {
    id: 'e3',
    type: 'troupe.alerts.AlertRaised',
    time: base + 1_400,
    correlationId: 'e1',
    causationId: 'e2',
    topic: 'alerts.events',
    partition: 2,
    offset: '0',
    value: null,
  },
];

describe('timelineLines', () => {
  it('prints a table: time since the first event, topic, type indented under its cause, id, cause, source', () => {
    expect(timelineLines(buildFlow(events))).toEqual([
      'TIME     TOPIC            EVENT                             ID  CAUSED BY  SOURCE',
      '+0ms     releases.events  troupe.releases.ReleaseRequested  e1  -          releases',
      '+1.250s  releases.events  └─ troupe.releases.TestsPassed    e2  e1         verifier',
      '+1.400s  alerts.events       └─ troupe.alerts.AlertRaised   e3  e2         -',
    ]);
  });

  it('adds a payload line under each event when asked', () => {
    const lines = timelineLines(
      buildFlow(events.slice(0, 2)),
      (entry) => `payload ${entry.event.id}`,
    );
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^\+0ms/),
      '  payload e1',
      expect.stringMatching(/^\+1\.250s/),
      '     payload e2',
    ]);
  });
});

describe('timelineJson', () => {
  it('prints one JSON object per event in timeline order', () => {
    const lines = timelineJson(buildFlow(events)).map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.id, l.depth, l.elapsedMs])).toEqual([
      ['e1', 0, 0],
      ['e2', 1, 1250],
      ['e3', 2, 1400],
    ]);
    expect(lines[0]).toEqual({
      elapsedMs: 0,
      time: '2024-05-01T12:00:00.000Z',
      depth: 0,
      topic: 'releases.events',
      partition: 0,
      offset: '7',
      key: 'rel-1',
      id: 'e1',
      type: 'troupe.releases.ReleaseRequested',
      source: 'releases',
      correlationId: 'e1',
    });
  });
});
