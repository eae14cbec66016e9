import type { SettingDoc } from '@troupe/kit/internal';

/**
 * The rollback service's own setting.
 */
export const ROLLBACK = {
  fault: {
    name: 'TROUPE_ROLLBACK_FAULT',
    default: 'none',
    description:
      'Fault injection for the demo: after-router or after-publish makes the process SIGKILL itself at that point.',
    fromFile: true,
  },
} as const satisfies Record<string, SettingDoc>;

/** These settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(ROLLBACK);
