import type { SettingDoc } from '@troupe/kit/internal';

/**
 * The releases service's settings; loadReleasesSettings reads each by its declaration, defaults included.
 */
export const RELEASES = {
  databaseUrl: {
    name: 'TROUPE_DATABASE_URL',
    default: 'required',
    description: 'The PostgreSQL holding the releases table and the outbox.',
    fromFile: true,
  },
  dbSchema: {
    name: 'TROUPE_RELEASES_DB_SCHEMA',
    default: 'releases',
    description:
      'The PostgreSQL schema of the releases and outbox tables (a lowercase SQL identifier).',
    fromFile: true,
  },
  apiPort: {
    name: 'TROUPE_RELEASES_API_PORT',
    default: '3000',
    description: 'The port of the release API; 0 picks a free one.',
    fromFile: true,
  },
  apiHost: {
    name: 'TROUPE_RELEASES_API_HOST',
    default: '0.0.0.0',
    description: 'The address the release API listens on.',
    fromFile: true,
  },
} as const satisfies Record<string, SettingDoc>;

/** These settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(RELEASES);
