import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createFailFastRedis, loadRedisConnection } from '@troupe/kit';
import type { StackCertificates } from './certificates';
import { freePort } from './ports';
import { ServerHandle, spawnServer } from './server-process';
import { ReadyWait, waitUntilReady } from './wait';

/**
 * The TROUPE_REDIS_* settings a client of this server needs: a secured server's URL is rediss://
 * without a password, which is only ever a file (TROUPE_REDIS_PASSWORD_FILE).
 */
export type RedisSettings = { TROUPE_REDIS_URL: string } & Partial<
  Record<'TROUPE_REDIS_PASSWORD_FILE' | 'TROUPE_REDIS_TLS_CA_FILE', string>
>;

export interface StartedRedis {
  server: ServerHandle;
  url: string;
  settings: RedisSettings;
}

/**
 * `redisServer` is the binary's path, found before anything is spawned (see stack-tools.ts). With
 * `certificates` the server speaks TLS only (no plaintext port), presenting the stack's server
 * certificate, and requires a password random per run (`requirepass`, in a 0600 config file so it
 * is on no command line); client certificates are accepted but not required.
 */
export async function startRedis(
  redisServer: string,
  dir: string,
  detached: boolean,
  wait: ReadyWait,
  certificates?: StackCertificates,
): Promise<StartedRedis> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const common = ['--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  let args = ['--port', String(port), ...common];
  let settings: RedisSettings = { TROUPE_REDIS_URL: `redis://127.0.0.1:${port}` };
  if (certificates) {
    const passwordFile = path.join(dir, 'password');
    writeFileSync(passwordFile, randomBytes(18).toString('base64url'), { mode: 0o600 });
    const configFile = path.join(dir, 'redis.conf');
    writeFileSync(configFile, `requirepass ${readFileSync(passwordFile, 'utf8')}\n`, {
      mode: 0o600,
    });
    args = [
      configFile,
      '--port',
      '0',
      '--tls-port',
      String(port),
      '--tls-cert-file',
      certificates.serverCertFile,
      '--tls-key-file',
      certificates.serverKeyFile,
      '--tls-ca-cert-file',
      certificates.caFile,
      '--tls-auth-clients',
      'optional',
      ...common,
    ];
    settings = {
      TROUPE_REDIS_URL: `rediss://127.0.0.1:${port}`,
      TROUPE_REDIS_PASSWORD_FILE: passwordFile,
      TROUPE_REDIS_TLS_CA_FILE: certificates.caFile,
    };
  }
  const server = spawnServer('redis', redisServer, args, {
    logFile: path.join(dir, 'redis.log'),
    detached,
  });
  await waitUntilReady(server, () => redisAnswers(settings), wait);
  return { server, url: settings.TROUPE_REDIS_URL, settings };
}

/** PING with the settings a client gets, read as services read them (password and CA included). */
export async function redisAnswers(settings: RedisSettings): Promise<void> {
  const client = createFailFastRedis(loadRedisConnection(settings)!, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  try {
    await client.connect();
    const reply = await client.ping();
    if (reply !== 'PONG') throw new Error(`PING answered ${reply}`);
  } finally {
    client.disconnect();
  }
}
