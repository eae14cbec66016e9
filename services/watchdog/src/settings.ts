import { formatDuration, type SettingDoc } from '@troupe/kit/internal';
import { DEFAULT_DETECTION } from './statistics';

/**
 * The watchdog's settings; loadWatchdogSettings reads each by its declaration. The detection
 * defaults are DEFAULT_DETECTION's, so the statistics and the docs cannot disagree.
 */
export const WATCHDOG = {
  horizon: {
    name: 'TROUPE_WATCHDOG_HORIZON',
    default: formatDuration(DEFAULT_DETECTION.horizonMs),
    description: 'The rolling window the canary-versus-stable test compares.',
    fromFile: true,
  },
  minRequests: {
    name: 'TROUPE_WATCHDOG_MIN_REQUESTS',
    default: String(DEFAULT_DETECTION.minRequests),
    description: 'Requests needed on each side before a verdict.',
    fromFile: true,
  },
  z: {
    name: 'TROUPE_WATCHDOG_Z',
    default: String(DEFAULT_DETECTION.zThreshold),
    description: "The z-score that makes the canary's error rate significantly worse.",
    fromFile: true,
  },
  minIncrease: {
    name: 'TROUPE_WATCHDOG_MIN_INCREASE',
    default: String(DEFAULT_DETECTION.minIncrease),
    description: 'The materiality margin: how much higher the error rate must be to matter.',
    fromFile: true,
  },
  marginZ: {
    name: 'TROUPE_WATCHDOG_MARGIN_Z',
    default: String(DEFAULT_DETECTION.marginZ),
    description: 'The z-score the increase needs over that margin.',
    fromFile: true,
  },
  history: {
    name: 'TROUPE_WATCHDOG_HISTORY',
    default: '60s',
    description: 'How much canary history is kept to date the first bad sample.',
    fromFile: true,
  },
} as const satisfies Record<string, SettingDoc>;

/** These settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(WATCHDOG);
