import type { EventTypes } from '@troupe/contracts';

/**
 * A release's state, projected from the release events alone. The state only moves forward
 * (by rank below) whatever order or how often events arrive: a duplicate is recognised by its
 * event id, a late event adds its facts and its line in the history without moving the state back.
 * Terminal: TESTS_FAILED, PROMOTED (unless a rollback follows), ROLLED_BACK.
 */
export type ReleaseState =
  | 'REQUESTED'
  | 'TESTS_PASSED'
  | 'TESTS_FAILED'
  | 'CANARY'
  | 'DEGRADED'
  | 'PROMOTED'
  | 'ROLLED_BACK';

const RANK: Record<ReleaseState, number> = {
  REQUESTED: 0,
  TESTS_PASSED: 1,
  CANARY: 2,
  DEGRADED: 3,
  // A rollback may undo a promotion that won a race against the degradation: it ranks above.
  PROMOTED: 4,
  TESTS_FAILED: 5,
  ROLLED_BACK: 6,
};

export const TERMINAL_STATES: readonly ReleaseState[] = ['TESTS_FAILED', 'PROMOTED', 'ROLLED_BACK'];

export interface HistoryEntry {
  type: string;
  eventId: string;
  /** The event's time (ISO 8601). */
  at: string;
}

/** What GET /releases/:id shows. Times are ISO 8601 strings; absent facts are absent. */
export interface ReleaseView {
  releaseId: string;
  service: string;
  version: string;
  state: ReleaseState;
  terminal: boolean;
  canaryShare?: number;
  requestedBy?: string;
  requestedAt?: string;
  tests?: {
    passed: boolean;
    passedTests?: number;
    durationMs?: number;
    reason?: string;
    failedTests?: string[];
    finishedAt: string;
  };
  canary?: { share: number; stableVersion: string; startedAt: string };
  degradation?: {
    canaryErrorRate: number;
    baselineErrorRate: number;
    zScore: number;
    pValue: number;
    samples: number;
    firstBadSampleAt: string;
    detectedAt: string;
  };
  promotion?: { previousVersion: string; promotedAt: string };
  rollback?: {
    fromVersion: string;
    toVersion: string;
    reason: string;
    firstBadSampleAt: string;
    rolledBackAt: string;
    healMs: number;
  };
  /** Events applied, in event time order. */
  history: HistoryEntry[];
}

type ReleaseEventTypes = Pick<
  EventTypes,
  | 'troupe.releases.ReleaseRequested'
  | 'troupe.releases.TestsPassed'
  | 'troupe.releases.TestsFailed'
  | 'troupe.releases.CanaryStarted'
  | 'troupe.releases.CanaryDegraded'
  | 'troupe.releases.Promoted'
  | 'troupe.releases.RolledBack'
>;

/** A consumed release event: its type, payload and envelope id and time. */
export type ReleaseEvent = {
  [K in keyof ReleaseEventTypes]: {
    type: K;
    payload: ReleaseEventTypes[K];
    eventId: string;
    time: string;
  };
}[keyof ReleaseEventTypes];

export const RELEASE_EVENT_TYPES: readonly ReleaseEvent['type'][] = [
  'troupe.releases.ReleaseRequested',
  'troupe.releases.TestsPassed',
  'troupe.releases.TestsFailed',
  'troupe.releases.CanaryStarted',
  'troupe.releases.CanaryDegraded',
  'troupe.releases.Promoted',
  'troupe.releases.RolledBack',
];

/** The view of a release as first requested (before its ReleaseRequested event is consumed). */
export function requestedView(
  request: ReleaseEventTypes['troupe.releases.ReleaseRequested'],
): ReleaseView {
  return {
    releaseId: request.releaseId,
    service: request.service,
    version: request.version,
    state: 'REQUESTED',
    terminal: false,
    canaryShare: request.canaryShare,
    requestedBy: request.requestedBy,
    requestedAt: request.requestedAt.toISOString(),
    history: [],
  };
}

/** Applies one event; returns the same object when the event was applied before. */
export function projectRelease(current: ReleaseView | undefined, event: ReleaseEvent): ReleaseView {
  if (current?.history.some((h) => h.eventId === event.eventId)) return current;
  const p = event.payload;
  const base: ReleaseView = current ?? {
    releaseId: p.releaseId,
    service: p.service,
    version: 'version' in p ? p.version : p.fromVersion,
    state: 'REQUESTED',
    terminal: false,
    history: [],
  };
  const view: ReleaseView = {
    ...base,
    history: insertByTime(base.history, {
      type: shortType(event.type),
      eventId: event.eventId,
      at: event.time,
    }),
  };
  let reached: ReleaseState;
  switch (event.type) {
    case 'troupe.releases.ReleaseRequested': {
      const r = event.payload;
      Object.assign(view, {
        canaryShare: r.canaryShare,
        requestedBy: r.requestedBy,
        requestedAt: r.requestedAt.toISOString(),
      });
      reached = 'REQUESTED';
      break;
    }
    case 'troupe.releases.TestsPassed': {
      const t = event.payload;
      view.tests = {
        passed: true,
        passedTests: t.passedTests,
        durationMs: t.durationMs,
        finishedAt: t.finishedAt.toISOString(),
      };
      reached = 'TESTS_PASSED';
      break;
    }
    case 'troupe.releases.TestsFailed': {
      const t = event.payload;
      view.tests = {
        passed: false,
        reason: t.reason,
        failedTests: [...t.failedTests],
        finishedAt: t.finishedAt.toISOString(),
      };
      reached = 'TESTS_FAILED';
      break;
    }
    case 'troupe.releases.CanaryStarted': {
      const c = event.payload;
      view.canary = {
        share: c.share,
        stableVersion: c.stableVersion,
        startedAt: c.startedAt.toISOString(),
      };
      reached = 'CANARY';
      break;
    }
    case 'troupe.releases.CanaryDegraded': {
      const d = event.payload;
      view.degradation = {
        canaryErrorRate: d.canaryErrorRate,
        baselineErrorRate: d.baselineErrorRate,
        zScore: d.zScore,
        pValue: d.pValue,
        samples: d.samples,
        firstBadSampleAt: d.firstBadSampleAt.toISOString(),
        detectedAt: d.detectedAt.toISOString(),
      };
      reached = 'DEGRADED';
      break;
    }
    case 'troupe.releases.Promoted': {
      const m = event.payload;
      view.promotion = {
        previousVersion: m.previousVersion,
        promotedAt: m.promotedAt.toISOString(),
      };
      reached = 'PROMOTED';
      break;
    }
    case 'troupe.releases.RolledBack': {
      const r = event.payload;
      view.rollback = {
        fromVersion: r.fromVersion,
        toVersion: r.toVersion,
        reason: r.reason,
        firstBadSampleAt: r.firstBadSampleAt.toISOString(),
        rolledBackAt: r.rolledBackAt.toISOString(),
        healMs: r.rolledBackAt.getTime() - r.firstBadSampleAt.getTime(),
      };
      reached = 'ROLLED_BACK';
      break;
    }
  }
  if (RANK[reached] > RANK[view.state]) view.state = reached;
  view.terminal = TERMINAL_STATES.includes(view.state);
  return view;
}

export function shortType(type: string): string {
  return type.slice(type.lastIndexOf('.') + 1);
}

function insertByTime(history: HistoryEntry[], entry: HistoryEntry): HistoryEntry[] {
  const next = [...history, entry];
  // Stable sort: events with equal times keep their arrival order.
  return next.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
