import type { SettingDoc } from '@troupe/kit/internal';

/**
 * The notifier's settings; loadNotifierSettings reads each by its declaration, defaults included.
 */
export const NOTIFIER = {
  webhookUrl: {
    name: 'TROUPE_NOTIFIER_WEBHOOK_URL',
    default: 'none',
    description: 'A URL each alert is also POSTed to as JSON.',
    fromFile: true,
  },
  webhookTimeout: {
    name: 'TROUPE_NOTIFIER_WEBHOOK_TIMEOUT',
    default: '2s',
    description: 'How long one webhook call may take.',
    fromFile: true,
  },
} as const satisfies Record<string, SettingDoc>;

/** These settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(NOTIFIER);
