import type { SettingDoc } from '@troupe/kit/internal';

/**
 * The demo's own setting. The demo also sets the other packages' settings for the services it
 * starts (topics, namespace, timeouts); those are declared where they are read.
 */
export const DEMO = {
  keepLogs: {
    name: 'TROUPE_DEMO_KEEP_LOGS',
    default: 'none',
    description: "1 keeps the services' log files and prints their folder, as --keep-logs does.",
    fromFile: false,
  },
} as const satisfies Record<string, SettingDoc>;

/** These settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(DEMO);
