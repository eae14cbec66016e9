/**
 * The fault proxy between real clients and the stack's real Redis and PostgreSQL: what each
 * fault looks like to the client, which is what the fault tests rely on.
 */
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { type FaultProxy, startFaultProxy } from '../src/fault-proxy';

jest.setTimeout(60_000);

const through = (url: string, proxy: FaultProxy) => {
  const parsed = new URL(url);
  parsed.hostname = proxy.host;
  parsed.port = String(proxy.port);
  return parsed.toString();
};
const target = (url: string) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port) };
};

describe('a fault proxy in front of Redis', () => {
  let proxy: FaultProxy;
  let redis: Redis;
  beforeEach(async () => {
    proxy = await startFaultProxy(target(process.env.TROUPE_REDIS_URL!));
    redis = new Redis(through(process.env.TROUPE_REDIS_URL!, proxy), {
      commandTimeout: 1_000,
      maxRetriesPerRequest: 1,
    });
    await redis.set('fault-proxy:key', 'kept');
  });
  afterEach(async () => {
    redis.disconnect();
    await proxy.close();
  });

  it('forwards commands, with the latency it is given added to each round trip', async () => {
    proxy.latency(300);
    const started = Date.now();
    await expect(redis.get('fault-proxy:key')).resolves.toBe('kept');
    // 300 ms each way.
    expect(Date.now() - started).toBeGreaterThanOrEqual(590);
    proxy.latency(0);
  });

  it('hangs: the connection stays open and nothing answers, until healed', async () => {
    const closed = jest.fn();
    redis.on('close', closed);
    proxy.hang();
    await expect(redis.get('fault-proxy:key')).rejects.toThrow(/timed out/i);
    expect(closed).not.toHaveBeenCalled();
    expect(redis.status).toBe('ready');
    proxy.heal();
    await expect(redis.get('fault-proxy:key')).resolves.toBe('kept');
  });

  it("hangs only the open connections with hang('open'): a new connection goes through", async () => {
    proxy.hang('open');
    await expect(redis.get('fault-proxy:key')).rejects.toThrow(/timed out/i);
    const fresh = new Redis(through(process.env.TROUPE_REDIS_URL!, proxy), {
      commandTimeout: 1_000,
    });
    try {
      await expect(fresh.get('fault-proxy:key')).resolves.toBe('kept');
    } finally {
      fresh.disconnect();
    }
    await expect(redis.get('fault-proxy:key')).rejects.toThrow(/timed out/i);
    proxy.heal();
  });

  it('cuts: every open connection is reset, and the client reconnects through it', async () => {
    const errors: string[] = [];
    redis.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    const before = proxy.connections;
    proxy.cut();
    await expect(redis.get('fault-proxy:key')).resolves.toBe('kept');
    expect(errors).toContain('ECONNRESET');
    expect(proxy.connections).toBe(before + 1);
  });
});

describe('a fault proxy in front of PostgreSQL', () => {
  it('cuts a session: the client sees the reset, a new session goes through', async () => {
    const proxy = await startFaultProxy(target(process.env.TROUPE_DATABASE_URL!));
    const url = through(process.env.TROUPE_DATABASE_URL!, proxy);
    const first = new Client({ connectionString: url });
    const errors: string[] = [];
    first.on('error', (error: NodeJS.ErrnoException) => errors.push(error.code ?? error.message));
    try {
      await first.connect();
      await expect(first.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
      proxy.cut();
      await expect(first.query('SELECT 1')).rejects.toThrow();
      expect(errors.join(' ')).toMatch(/ECONNRESET|Connection terminated/);
      const second = new Client({ connectionString: url });
      await second.connect();
      await expect(second.query('SELECT 2 AS two')).resolves.toMatchObject({ rows: [{ two: 2 }] });
      await second.end();
    } finally {
      await first.end().catch(() => undefined);
      await proxy.close();
    }
  });
});
