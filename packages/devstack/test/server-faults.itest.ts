/**
 * Faults on a running stack's servers through the command line a user runs (`npm run
 * stack:kill|pause|resume|restart -- <server>`): each server comes back in place (same port,
 * same data), and `stack:status` and `stack:down` stay true after each fault.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { SchemaRegistryClient, createKafkaDriver, loadKafkaConnection } from '@troupe/kit';
import { isAlive } from '../src/server-process';
import { settingsOf, stackCli } from './support/stack-cli';

jest.setTimeout(240_000);

const stateDir = mkdtempSync(path.join(os.tmpdir(), 'troupe-state-'));
const env = { ...process.env, TROUPE_STATE_DIR: stateDir };
let settings: Record<string, string>;

/** Each server's pid and state, as stack:status prints them, and its exit code. */
async function status() {
  const result = await stackCli('status', env);
  const servers = Object.fromEntries(
    [...result.stderr.matchAll(/^(\S+)\s+pid (\d+)\s+(running|NOT RUNNING)$/gm)].map((m) => [
      m[1]!,
      { pid: Number(m[2]), running: m[3] === 'running' },
    ]),
  );
  return { code: result.code, servers, settings: settingsOf(result.stdout) };
}

const kafka = () =>
  createKafkaDriver(
    loadKafkaConnection({ ...settings, TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER }),
    {
      clientId: 'server-faults-test',
    },
  );

beforeAll(async () => {
  const up = await stackCli('up', env);
  expect(up.code).toBe(0);
  settings = settingsOf(up.stdout);
}, 180_000);

afterAll(async () => {
  await stackCli('down', env);
  rmSync(stateDir, { recursive: true, force: true });
});

it('kafka killed (SIGKILL) is reported not running, and restarts on its port with its topics and records', async () => {
  const topic = 'faults.kept';
  const driver = kafka();
  const admin = driver.admin();
  await admin.connect();
  await admin.createTopics([{ topic, partitions: 1 }]);
  await admin.disconnect();
  const producer = driver.producer();
  await producer.connect();
  await producer.send([
    { topic, records: [{ key: Buffer.from('k'), value: Buffer.from('before the kill') }] },
  ]);
  await producer.disconnect();
  const registry = new SchemaRegistryClient({ url: settings.TROUPE_SCHEMA_REGISTRY_URL! });
  const schema = JSON.stringify({
    type: 'record',
    name: 'Kept',
    fields: [{ name: 'id', type: 'int' }],
  });
  await registry.register('faults.kept-value', schema);
  const before = await status();

  const killed = await stackCli('kill', env, ['kafka']);
  expect(killed.code).toBe(0);
  expect(killed.stderr).toMatch(/^kafka \(pid \d+\) ended by SIGKILL; its data is kept/);
  expect(isAlive(before.servers.kafka!.pid)).toBe(false);
  const down = await status();
  expect(down.code).toBe(3);
  expect(down.servers.kafka).toEqual({ pid: before.servers.kafka!.pid, running: false });
  expect(down.servers.redis!.running).toBe(true);

  const restarted = await stackCli('restart', env, ['kafka']);
  expect(restarted.code).toBe(0);
  expect(restarted.stderr).toMatch(/^kafka restarted in place \(pid \d+\), answering after/);
  const after = await status();
  expect(after.code).toBe(0);
  expect(after.servers.kafka!.running).toBe(true);
  expect(after.servers.kafka!.pid).not.toBe(before.servers.kafka!.pid);
  // Same port, so the settings every client holds still reach it.
  expect(after.settings).toEqual(settings);
  // The registry, whose reader was connected to the broker killed, takes writes again soon: its
  // reader's group lets the member that died with the broker go after 6 s (with a 30 s session,
  // writes failed for over 30 s). Asked again until then, as a client with retries would.
  const back = Date.now();
  for (;;) {
    const id = await registry.register('faults.after-kafka-value', '"string"').catch(() => 0);
    if (id > 0) break;
    expect(Date.now() - back).toBeLessThan(25_000);
  }
  process.stderr.write(`registry took writes ${Date.now() - back} ms after kafka answered\n`);

  const offsets = await (async () => {
    const again = driver.admin();
    await again.connect();
    try {
      return await again.topicOffsets(topic);
    } finally {
      await again.disconnect();
    }
  })();
  expect(offsets).toEqual([{ partition: 0, low: '0', high: '1' }]);
});

it('redis paused (SIGSTOP) holds the connection and answers nothing until resumed; its keys are kept', async () => {
  const redis = new Redis(settings.TROUPE_REDIS_URL!, {
    commandTimeout: 1_000,
    maxRetriesPerRequest: 0,
  });
  try {
    await redis.set('faults:kept', 'yes');
    expect((await stackCli('pause', env, ['redis'])).code).toBe(0);
    const paused = await redis.get('faults:kept').catch((error: Error) => error);
    expect(paused).toBeInstanceOf(Error);
    expect((paused as Error).message).toMatch(/timed out/i);
    expect((await status()).servers.redis!.running).toBe(true);
    expect((await stackCli('resume', env, ['redis'])).code).toBe(0);
    await expect(redis.get('faults:kept')).resolves.toBe('yes');
  } finally {
    redis.disconnect();
  }
});

it('postgresql killed and restarted keeps its tables; the registry restarted keeps its subjects', async () => {
  const query = async (sql: string) => {
    const client = new Client({ connectionString: settings.TROUPE_DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  await query('CREATE TABLE faults_kept (id int); INSERT INTO faults_kept VALUES (7)');
  expect((await stackCli('kill', env, ['postgresql'])).code).toBe(0);
  expect((await status()).servers.postgresql!.running).toBe(false);
  // A failed restart shows its one line and the server's log tail, not just a code.
  const restarted = await stackCli('restart', env, ['postgresql']);
  expect(restarted.code === 0 ? 'restarted' : restarted.stderr).toBe('restarted');
  await expect(query('SELECT id FROM faults_kept')).resolves.toEqual([{ id: 7 }]);

  // Registered before Kafka was killed (the first test): kept in Kafka through both restarts.
  const registry = new SchemaRegistryClient({ url: settings.TROUPE_SCHEMA_REGISTRY_URL! });
  const registryRestarted = await stackCli('restart', env, ['schema-registry']);
  expect(registryRestarted.code === 0 ? 'restarted' : registryRestarted.stderr).toBe('restarted');
  await expect(registry.subjects()).resolves.toContain('faults.kept-value');
  await expect(registry.register('faults.after-value', '"string"')).resolves.toBeGreaterThan(0);
  expect((await status()).code).toBe(0);
});

it('a server name the stack does not have is one line, and nothing is signalled', async () => {
  const before = await status();
  const result = await stackCli('kill', env, ['zookeeper']);
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toEqual([
    'troupe-stack: expected one server name (kafka, postgresql, redis, schema-registry), found "zookeeper"',
  ]);
  expect((await status()).servers).toEqual(before.servers);
});

it('stack:down after the faults stops every process it now runs and removes the data', async () => {
  const { servers } = await status();
  const dir = JSON.parse(readFileSync(path.join(stateDir, 'current-stack.json'), 'utf8'))
    .dir as string;
  const result = await stackCli('down', env);
  expect(result.code).toBe(0);
  expect(Object.values(servers).some((s) => isAlive(s.pid))).toBe(false);
  expect(existsSync(dir)).toBe(false);
});
