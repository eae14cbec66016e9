import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadDatabaseConnection } from '@troupe/kit';
import { Client } from 'pg';
import type { StackCertificates } from './certificates';
import { ServerStartError } from './errors';
import { freePort } from './ports';
import { ServerHandle, spawnServer } from './server-process';
import { ReadyWait, waitUntilReady } from './wait';

const run = promisify(execFile);

/** Where initdb and postgres are and whom they run as, found before anything is spawned (see stack-tools.ts). */
export interface PostgresTools {
  bin: string;
  account: { uid: number; gid: number } | undefined;
}

/**
 * The TROUPE_DATABASE_* settings a client of this server needs: a secured server's URL has no
 * password, which is only ever a file (TROUPE_DATABASE_PASSWORD_FILE).
 */
export type PostgresSettings = { TROUPE_DATABASE_URL: string } & Partial<
  Record<'TROUPE_DATABASE_PASSWORD_FILE' | 'TROUPE_DATABASE_SSL_CA_FILE', string>
>;

export interface StartedPostgres {
  server: ServerHandle;
  url: string;
  settings: PostgresSettings;
}

/** With TLS, TCP clients must use it; every client, the Unix socket's too, gives the password. */
const SECURED_HBA = [
  'local all all scram-sha-256',
  'hostssl all all 127.0.0.1/32 scram-sha-256',
  'hostssl all all ::1/128 scram-sha-256',
  '',
].join('\n');

/**
 * A throwaway cluster: its own data directory, socket directory and port. Durability settings are
 * relaxed because the data dies with the stack; what tests kill is clients, never this server.
 * With `certificates` the user postgres has a password random per run (scram-sha-256, for every
 * connection) and TCP clients must speak TLS to the stack's server certificate (hostssl only).
 */
export async function startPostgres(
  { bin, account }: PostgresTools,
  dir: string,
  detached: boolean,
  wait: ReadyWait,
  certificates?: StackCertificates,
): Promise<StartedPostgres> {
  const dataDir = path.join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  if (account) chownSync(dir, account.uid, account.gid);
  const port = await freePort();
  // Files the server (or initdb) reads are the account's: PostgreSQL refuses a key file that is
  // not 0600 and its owner's (or 0640 and root's); the certificates directory is ours only.
  const own = (file: string) => {
    if (account) chownSync(file, account.uid, account.gid);
    return file;
  };
  const passwordFile = path.join(dir, 'password');
  const auth = ['--auth=trust'];
  if (certificates) {
    writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    auth.splice(0, 1, '--auth=scram-sha-256', `--pwfile=${own(passwordFile)}`);
  }
  try {
    await run(
      path.join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', ...auth, '--encoding=UTF8', '--no-sync'],
      { uid: account?.uid, gid: account?.gid },
    );
  } catch (error) {
    throw new ServerStartError(
      'postgresql',
      'initdb failed',
      String((error as { stderr?: string }).stderr ?? error),
    );
  }
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    // Fast, and still durable against what the stack's own faults do: a server SIGKILLed keeps
    // every commit it acknowledged, since each commit's WAL is written (synchronous_commit, the
    // default) to the OS, which outlives the process. Only an OS crash could lose data, as fsync
    // and full-page writes are off. (With synchronous_commit off a SIGKILL loses up to ~600 ms of
    // acknowledged commits, three wal_writer_delays: two outbox rows in a fault scenario.)
    fsync: 'off',
    full_page_writes: 'off',
    max_connections: '300',
  };
  if (certificates) {
    const copy = (from: string, name: string) => {
      const to = path.join(dir, name);
      copyFileSync(from, to);
      return own(to);
    };
    const hbaFile = path.join(dir, 'pg_hba.conf');
    writeFileSync(hbaFile, SECURED_HBA, { mode: 0o600 });
    Object.assign(settings, {
      ssl: 'on',
      ssl_cert_file: copy(certificates.serverCertFile, 'server.pem'),
      ssl_key_file: copy(certificates.serverKeyFile, 'server.key'),
      hba_file: own(hbaFile),
    });
  }
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  const server = spawnServer('postgresql', path.join(bin, 'postgres'), args, {
    logFile: path.join(dir, 'postgres.log'),
    detached,
    account,
    // SIGINT is PostgreSQL's "fast shutdown": roll back sessions and exit now.
    stopSignal: 'SIGINT',
  });
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stackSettings: PostgresSettings = certificates
    ? {
        TROUPE_DATABASE_URL: url,
        TROUPE_DATABASE_PASSWORD_FILE: passwordFile,
        TROUPE_DATABASE_SSL_CA_FILE: certificates.caFile,
      }
    : { TROUPE_DATABASE_URL: url };
  await waitUntilReady(server, () => postgresAnswers(stackSettings), wait);
  return { server, url, settings: stackSettings };
}

/** SELECT 1 with the settings a client gets, read as services read them (password and CA included). */
export async function postgresAnswers(settings: PostgresSettings): Promise<void> {
  const client = new Client({ ...loadDatabaseConnection(settings), connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Removes the lock files a killed postmaster left in the stack's PostgreSQL directory
 * (`<stack dir>/postgres`): `data/postmaster.pid` and its Unix socket's `.s.PGSQL.<port>.lock`,
 * for a restart in place. Each names the dead postmaster's pid; where nobody reaps that process (a
 * detached server whose parent exited, under a PID 1 that does not reap orphans) the pid still
 * answers kill(pid, 0) as a zombie, and PostgreSQL refuses to start ("lock file … already
 * exists"). Call it only once the old server is gone.
 */
export function removeStalePostmasterLocks(stackDir: string): void {
  const dir = path.join(stackDir, 'postgres');
  rmSync(path.join(dir, 'data', 'postmaster.pid'), { force: true });
  for (const name of existsSync(dir) ? readdirSync(dir) : [])
    if (/^\.s\.PGSQL\.\d+\.lock$/.test(name)) rmSync(path.join(dir, name), { force: true });
}
