import type { SettingDoc } from '@troupe/kit/internal';

/**
 * The telemetry simulator's settings; loadTelemetrySettings reads each by its declaration, defaults included.
 */
export const TELEMETRY = {
  interval: {
    name: 'TROUPE_TELEMETRY_INTERVAL',
    default: '100ms',
    description: 'The sample window: one RequestSamples per service and version per window.',
    fromFile: true,
  },
  rps: {
    name: 'TROUPE_TELEMETRY_RPS',
    default: '2000',
    description: 'Simulated requests per second per service.',
    fromFile: true,
  },
  errorRate: {
    name: 'TROUPE_TELEMETRY_ERROR_RATE',
    default: '0.01',
    description: 'The error rate of a healthy version (0-1).',
    fromFile: true,
  },
  spikeErrorRate: {
    name: 'TROUPE_TELEMETRY_SPIKE_ERROR_RATE',
    default: '0.3',
    description: 'The error rate during a spike (0-1).',
    fromFile: true,
  },
  spikeMarker: {
    name: 'TROUPE_TELEMETRY_SPIKE_MARKER',
    default: 'spike',
    description:
      'Versions containing this text spike, TROUPE_TELEMETRY_SPIKE_DELAY after their canary started.',
    fromFile: true,
  },
  spikeDelay: {
    name: 'TROUPE_TELEMETRY_SPIKE_DELAY',
    default: '1s',
    description: "How long after a marked version's canary started its spike begins.",
    fromFile: true,
  },
} as const satisfies Record<string, SettingDoc>;

/** These settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(TELEMETRY);
