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
    default: '127.0.0.1',
    description:
      'The address the release API listens on: loopback unless set (0.0.0.0 in a container, to reach it through a published port).',
    fromFile: true,
  },
  apiToken: {
    name: 'TROUPE_RELEASES_API_TOKEN',
    default: 'none',
    description:
      'When set, every release API route but /healthz and /readyz requires `Authorization: Bearer <token>` (at least 16 of A-Z a-z 0-9 - . _ ~ + /, then any =); never logged.',
    fromFile: true,
  },
} as const satisfies Record<string, SettingDoc>;

/** These settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(RELEASES);
