import type { AlertRaised, CanaryDegraded, RolledBack, TestsFailed } from '@troupe/contracts';

/** An alert before it gets its id, time and publishing service. */
export type AlertDraft = Pick<
  AlertRaised,
  'releaseId' | 'service' | 'severity' | 'summary' | 'details'
>;

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

export function testsFailedAlert(event: TestsFailed): AlertDraft {
  return {
    releaseId: event.releaseId,
    service: event.service,
    severity: 'WARNING',
    summary: `${event.service} ${event.version}: ${event.reason}; release stopped`,
    details: { version: event.version, failedTests: event.failedTests.join('; ') },
  };
}

export function canaryDegradedAlert(event: CanaryDegraded): AlertDraft {
  return {
    releaseId: event.releaseId,
    service: event.service,
    severity: 'CRITICAL',
    summary: `${event.service} ${event.version}: canary errors ${percent(event.canaryErrorRate)} vs ${percent(event.baselineErrorRate)} on stable; rolling back`,
    details: {
      version: event.version,
      canaryErrorRate: event.canaryErrorRate.toFixed(4),
      baselineErrorRate: event.baselineErrorRate.toFixed(4),
      zScore: event.zScore.toFixed(2),
      pValue: event.pValue.toExponential(2),
      samples: String(event.samples),
      firstBadSampleAt: event.firstBadSampleAt.toISOString(),
    },
  };
}

export function rolledBackAlert(event: RolledBack): AlertDraft {
  const healMs = event.rolledBackAt.getTime() - event.firstBadSampleAt.getTime();
  return {
    releaseId: event.releaseId,
    service: event.service,
    severity: 'INFO',
    summary: `${event.service} rolled back from ${event.fromVersion} to ${event.toVersion} in ${(healMs / 1000).toFixed(2)} s after the first bad sample`,
    details: {
      fromVersion: event.fromVersion,
      toVersion: event.toVersion,
      reason: event.reason,
      healMs: String(healMs),
    },
  };
}
