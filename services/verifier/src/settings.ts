import type { SettingDoc } from '@troupe/kit/internal';

/**
 * The verifier's settings; loadSuiteSettings reads each by its declaration, defaults included.
 */
export const VERIFIER = {
  suiteDuration: {
    name: 'TROUPE_VERIFIER_SUITE_DURATION',
    default: '1s',
    description: 'How long the simulated test suite runs.',
    fromFile: true,
  },
  failMarker: {
    name: 'TROUPE_VERIFIER_FAIL_MARKER',
    default: 'broken-tests',
    description: 'Versions containing this text fail their tests.',
    fromFile: true,
  },
  failureRate: {
    name: 'TROUPE_VERIFIER_FAILURE_RATE',
    default: '0',
    description: 'The chance that any other version fails its tests (0-1).',
    fromFile: true,
  },
} as const satisfies Record<string, SettingDoc>;

/** These settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(VERIFIER);
