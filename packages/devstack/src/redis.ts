import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Redis from 'ioredis';
import { freePort } from './ports';
import { ServerHandle, spawnServer } from './server-process';
import { ReadyWait, waitUntilReady } from './wait';

export interface StartedRedis {
  server: ServerHandle;
  url: string;
}

/** `redisServer` is the binary's path, found before anything is spawned (see stack-tools.ts). */
export async function startRedis(
  redisServer: string,
  dir: string,
  detached: boolean,
  wait: ReadyWait,
): Promise<StartedRedis> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  const server = spawnServer('redis', redisServer, args, {
    logFile: path.join(dir, 'redis.log'),
    detached,
  });
  const url = `redis://127.0.0.1:${port}`;
  await waitUntilReady(server, () => redisAnswers(url), wait);
  return { server, url };
}

async function redisAnswers(url: string): Promise<void> {
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 1000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const reply = await client.ping();
    if (reply !== 'PONG') throw new Error(`PING answered ${reply}`);
  } finally {
    client.disconnect();
  }
}
