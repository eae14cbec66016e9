/**
 * The fail-fast Redis client (dedup, the Redis outbox, the pipeline services) between it and a
 * real Redis, through a fault proxy: it fails fast while Redis does not answer, and gets over a
 * half-open connection by itself.
 */
import { createFailFastRedis } from '@troupe/kit';
import { startFaultProxy } from '@troupe/testkit';
import { sleep } from './fixtures/dedup-support';

jest.setTimeout(30_000);

test('a half-open connection (silent, never closed) is given up and dialled again: commands succeed again without any heal', async () => {
  const redisUrl = new URL(process.env.TROUPE_REDIS_URL!);
  const proxy = await startFaultProxy({ host: redisUrl.hostname, port: Number(redisUrl.port) });
  const proxied = new URL(redisUrl);
  proxied.port = String(proxy.port);
  const redis = createFailFastRedis(proxied.toString(), { commandTimeout: 500 });
  try {
    await redis.set('fail-fast:key', 'kept');
    const dialled = proxy.connections;
    proxy.hang('open');
    // Fails fast, as before this change…
    await expect(redis.get('fail-fast:key')).rejects.toThrow(/timed out/i);
    // …and then, with no heal, the silent connection is dropped and a new one goes through.
    let answer: string | null | undefined;
    for (let attempt = 0; attempt < 20 && answer === undefined; attempt += 1) {
      answer = await redis.get('fail-fast:key').catch(() => undefined);
      if (answer === undefined) await sleep(250);
    }
    expect(answer).toBe('kept');
    expect(proxy.connections).toBeGreaterThan(dialled);
  } finally {
    redis.disconnect();
    await proxy.close();
  }
});
