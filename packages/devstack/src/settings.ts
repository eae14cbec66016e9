import type { SettingDoc } from '@troupe/kit/internal';
import { DEFAULT_KAFKA_RELEASE, KAFKA_RELEASES, KAFKA_VERSION_SETTING } from './kafka-release';

/** What the local stack (`npm run stack:*`, and the tests when they start it) reads. */
export const SETTINGS: readonly SettingDoc[] = [
  {
    name: KAFKA_VERSION_SETTING,
    default: DEFAULT_KAFKA_RELEASE.version,
    description: `The Kafka broker the devstack runs, and the testkit's containers: ${KAFKA_RELEASES.map((r) => `${r.line} or ${r.version}`).join(', ')}.`,
    fromFile: false,
  },
  {
    name: 'TROUPE_CACHE_DIR',
    default: '`$XDG_CACHE_HOME/troupe`, else `~/.cache/troupe`',
    description: "Where Kafka's classpath, resolved once from Maven Central, is kept between runs.",
    fromFile: false,
  },
  {
    name: 'TROUPE_STATE_DIR',
    default: "TROUPE_CACHE_DIR's folder",
    description: 'Where the running background stack is remembered (current-stack.json).',
    fromFile: false,
  },
  {
    name: 'TROUPE_PG_BIN',
    default: 'PATH, then the newest `/usr/lib/postgresql/<major>/bin`',
    description: "The folder holding PostgreSQL's initdb and postgres.",
    fromFile: false,
  },
  {
    name: 'TROUPE_PG_USER',
    default: 'postgres',
    description: 'The account PostgreSQL runs as when the devstack runs as root.',
    fromFile: false,
  },
];
