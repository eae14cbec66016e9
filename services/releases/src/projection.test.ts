import { ReleaseEvent, projectRelease, requestedView } from './projection';

const releaseId = 'r-1';
const t = (ms: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, 0, ms));
const request = {
  releaseId,
  service: 'checkout',
  version: '2.0.0',
  canaryShare: 0.2,
  requestedBy: 'ana',
  requestedAt: t(0),
};

const events = {
  requested: {
    type: 'troupe.releases.ReleaseRequested',
    eventId: 'e1',
    time: t(0).toISOString(),
    payload: request,
  },
  passed: {
    type: 'troupe.releases.TestsPassed',
    eventId: 'e2',
    time: t(300).toISOString(),
    payload: {
      releaseId,
      service: 'checkout',
      version: '2.0.0',
      passedTests: 12,
      durationMs: 300,
      finishedAt: t(300),
    },
  },
  failed: {
    type: 'troupe.releases.TestsFailed',
    eventId: 'e2f',
    time: t(300).toISOString(),
    payload: {
      releaseId,
      service: 'checkout',
      version: '2.0.0',
      reason: '2 of 12 tests failed',
      failedTests: ['a', 'b'],
      finishedAt: t(300),
    },
  },
  started: {
    type: 'troupe.releases.CanaryStarted',
    eventId: 'e3',
    time: t(400).toISOString(),
    payload: {
      releaseId,
      service: 'checkout',
      version: '2.0.0',
      share: 0.2,
      stableVersion: '1.9.0',
      startedAt: t(400),
    },
  },
  degraded: {
    type: 'troupe.releases.CanaryDegraded',
    eventId: 'e4',
    time: t(1700).toISOString(),
    payload: {
      releaseId,
      service: 'checkout',
      version: '2.0.0',
      canaryErrorRate: 0.2,
      baselineErrorRate: 0.01,
      zScore: 9.1,
      pValue: 1e-19,
      samples: 3000,
      firstBadSampleAt: t(1400),
      detectedAt: t(1700),
    },
  },
  promoted: {
    type: 'troupe.releases.Promoted',
    eventId: 'e5',
    time: t(5000).toISOString(),
    payload: {
      releaseId,
      service: 'checkout',
      version: '2.0.0',
      previousVersion: '1.9.0',
      promotedAt: t(5000),
    },
  },
  rolledBack: {
    type: 'troupe.releases.RolledBack',
    eventId: 'e6',
    time: t(1800).toISOString(),
    payload: {
      releaseId,
      service: 'checkout',
      fromVersion: '2.0.0',
      toVersion: '1.9.0',
      reason: 'canary errors',
      firstBadSampleAt: t(1400),
      rolledBackAt: t(1800),
    },
  },
} satisfies Record<string, ReleaseEvent>;

const play = (...list: ReleaseEvent[]) => list.reduce(projectRelease, requestedView(request));

describe('release state projection', () => {
  it('follows a healthy release to PROMOTED', () => {
    const view = play(events.requested, events.passed, events.started, events.promoted);
    expect(view).toMatchObject({
      state: 'PROMOTED',
      terminal: true,
      canary: { share: 0.2, stableVersion: '1.9.0' },
      promotion: { previousVersion: '1.9.0' },
    });
    expect(view.history.map((h) => h.type)).toEqual([
      'ReleaseRequested',
      'TestsPassed',
      'CanaryStarted',
      'Promoted',
    ]);
  });

  it('stops at TESTS_FAILED with the failed tests', () => {
    const view = play(events.requested, events.failed);
    expect(view).toMatchObject({
      state: 'TESTS_FAILED',
      terminal: true,
      tests: { passed: false, failedTests: ['a', 'b'] },
    });
  });

  it('ends a degraded canary at ROLLED_BACK with its time to heal', () => {
    const degraded = play(events.requested, events.passed, events.started, events.degraded);
    expect(degraded).toMatchObject({ state: 'DEGRADED', terminal: false });
    const view = projectRelease(degraded, events.rolledBack);
    expect(view).toMatchObject({
      state: 'ROLLED_BACK',
      terminal: true,
      rollback: { toVersion: '1.9.0', healMs: 400 },
    });
  });

  it('ignores a duplicate event (same id): same object back', () => {
    const once = play(events.requested, events.passed);
    expect(projectRelease(once, events.passed)).toBe(once);
  });

  it('never moves backwards: late events add facts and history, not an earlier state', () => {
    const view = play(
      events.requested,
      events.passed,
      events.started,
      events.degraded,
      events.rolledBack,
    );
    const late = projectRelease(view, { ...events.started, eventId: 'e3-late' });
    expect(late.state).toBe('ROLLED_BACK');
    expect(late.history).toHaveLength(6);
  });

  it('lets a rollback undo a promotion that won the race, but not the reverse', () => {
    expect(
      play(
        events.requested,
        events.passed,
        events.started,
        events.degraded,
        events.promoted,
        events.rolledBack,
      ).state,
    ).toBe('ROLLED_BACK');
    expect(
      play(
        events.requested,
        events.passed,
        events.started,
        events.degraded,
        events.rolledBack,
        events.promoted,
      ).state,
    ).toBe('ROLLED_BACK');
  });

  it('builds a view from events alone, in any order, and keeps the history in event time order', () => {
    const view = [events.started, events.passed, events.requested].reduce<
      ReturnType<typeof play> | undefined
    >((v, e) => projectRelease(v, e), undefined);
    expect(view).toMatchObject({
      releaseId,
      service: 'checkout',
      version: '2.0.0',
      state: 'CANARY',
      canaryShare: 0.2,
      requestedBy: 'ana',
    });
    expect(view?.history.map((h) => h.type)).toEqual([
      'ReleaseRequested',
      'TestsPassed',
      'CanaryStarted',
    ]);
  });
});
