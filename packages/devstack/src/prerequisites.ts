import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PrerequisiteError } from './errors';

/** The Debian packages that provide each tool, named in the error when one is missing. */
const INSTALL = {
  java: 'apt-get install -y openjdk-17-jre-headless',
  mvn: 'apt-get install -y maven',
  'redis-server': 'apt-get install -y redis-server',
  postgres: 'apt-get install -y postgresql',
  openssl: 'apt-get install -y openssl',
} as const;

export type Tool = keyof typeof INSTALL;

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

export function requireTool(tool: Exclude<Tool, 'postgres'>): string {
  const found = onPath(tool);
  if (!found) throw new PrerequisiteError(tool, INSTALL[tool]);
  return found;
}

/** A cluster is created with initdb and run with postgres: a directory is usable only with both. */
const POSTGRES_BINARIES = ['initdb', 'postgres'] as const;

const missingPostgresBinary = (dir: string) =>
  POSTGRES_BINARIES.find((binary) => !existsSync(path.join(dir, binary)));

/**
 * Debian keeps initdb and postgres out of PATH, in /usr/lib/postgresql/<major>/bin.
 * TROUPE_PG_BIN overrides; otherwise PATH, then the newest Debian-installed major version.
 */
export function postgresBinDir(): string {
  const override = process.env.TROUPE_PG_BIN;
  if (override) {
    const missing = missingPostgresBinary(override);
    if (missing) {
      throw new PrerequisiteError(`${missing} in TROUPE_PG_BIN=${override}`, INSTALL.postgres);
    }
    return override;
  }
  const initdb = onPath('initdb');
  if (initdb && !missingPostgresBinary(path.dirname(initdb))) return path.dirname(initdb);
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => !missingPostgresBinary(path.join(root, name, 'bin')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (majors.length === 0)
    throw new PrerequisiteError('the PostgreSQL server (initdb and postgres)', INSTALL.postgres);
  return path.join(root, majors[0]!, 'bin');
}

/** PostgreSQL refuses to run as root; when we are root we run it as this account instead. */
export function postgresAccount(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const user = process.env.TROUPE_PG_USER ?? 'postgres';
  try {
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new PrerequisiteError(
      `a non-root account "${user}" to run PostgreSQL as (we are root)`,
      `useradd --system ${user}`,
    );
  }
}
