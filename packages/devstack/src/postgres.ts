import { execFile } from 'node:child_process';
import { chownSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
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

export interface StartedPostgres {
  server: ServerHandle;
  url: string;
}

/**
 * A throwaway cluster: its own data directory, socket directory and port. Durability settings are
 * relaxed because the data dies with the stack; what tests kill is clients, never this server.
 */
export async function startPostgres(
  { bin, account }: PostgresTools,
  dir: string,
  detached: boolean,
  wait: ReadyWait,
): Promise<StartedPostgres> {
  const dataDir = path.join(dir, 'data');
  mkdirSync(dir, { recursive: true });
  if (account) chownSync(dir, account.uid, account.gid);
  const port = await freePort();
  try {
    await run(
      path.join(bin, 'initdb'),
      ['-D', dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync'],
      { uid: account?.uid, gid: account?.gid },
    );
  } catch (error) {
    throw new ServerStartError(
      'postgresql',
      'initdb failed',
      String((error as { stderr?: string }).stderr ?? error),
    );
  }
  const settings = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '300',
  };
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
  await waitUntilReady(server, () => postgresAnswers(url), wait);
  return { server, url };
}

async function postgresAnswers(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}
