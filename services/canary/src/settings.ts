import type { SettingDoc } from '@troupe/kit/internal';

/**
 * The canary service's settings; loadCanarySettings reads each by its declaration, defaults included.
 */
export const CANARY = {
  observation: {
    name: 'TROUPE_CANARY_OBSERVATION',
    default: '30s',
    description: 'How long a canary must stay healthy before it is promoted.',
    fromFile: true,
  },
  defaultShare: {
    name: 'TROUPE_CANARY_DEFAULT_SHARE',
    default: '0.1',
    description: "The canary's share of traffic when the release request did not say (0.001-1).",
    fromFile: true,
  },
  initialStableVersion: {
    name: 'TROUPE_CANARY_INITIAL_STABLE_VERSION',
    default: '1.0.0',
    description: 'The stable version of a service the traffic router has not seen before.',
    fromFile: true,
  },
  promotionInterval: {
    name: 'TROUPE_CANARY_PROMOTION_INTERVAL',
    default: '100ms',
    description: 'How often the canary service looks for due promotions.',
    fromFile: true,
  },
} as const satisfies Record<string, SettingDoc>;

/** These settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(CANARY);
