/**
 * A replicated KRaft cluster through the command line a user runs: `npm run stack:up -- --brokers
 * 3` starts three nodes (each a broker and a controller) with three replicas and
 * min.insync.replicas=2 as the defaults, `troupe topics list` shows replicas and in-sync
 * replicas, and a partition leader killed (SIGKILL) mid-stream loses no acknowledged record: its
 * partitions are led elsewhere, writes go on with two in sync, and the node restarted in place
 * catches up.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createKafkaDriver, loadKafkaConnection } from '@troupe/kit';
import { settingsOf, stackCli } from './support/stack-cli';

jest.setTimeout(300_000);

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..', '..');
const TROUPE = path.join(ROOT, 'packages', 'cli', 'bin', 'troupe.js');
const stateDir = mkdtempSync(path.join(os.tmpdir(), 'troupe-state-'));
const env = { ...process.env, TROUPE_STATE_DIR: stateDir };
let settings: Record<string, string>;

async function status() {
  const result = await stackCli('status', env);
  return Object.fromEntries(
    [...result.stderr.matchAll(/^(\S+)\s+pid (\d+)\s+(running|NOT RUNNING)$/gm)].map((m) => [
      m[1]!,
      m[3] === 'running',
    ]),
  );
}

/**
 * `npx troupe topics list --json` on the cluster: one object per topic. Internal topics (`all`)
 * are listed through kafkajs: @platformatic/kafka's metadata leaves them out (README, drivers).
 */
async function listed(prefix: string, all = false) {
  const { stdout } = await run(
    process.execPath,
    [TROUPE, 'topics', 'list', '--json', '--prefix', prefix, ...(all ? ['--all'] : [])],
    {
      env: { ...process.env, ...settings, ...(all ? { TROUPE_KAFKA_DRIVER: 'kafkajs' } : {}) },
      cwd: ROOT,
    },
  );
  return stdout
    .trim()
    .split('\n')
    .map(
      (line) =>
        JSON.parse(line) as {
          name: string;
          replicationFactor: number;
          inSyncReplicas: number;
          minInSyncReplicas: number;
        },
    );
}

const driver = () =>
  createKafkaDriver(
    loadKafkaConnection({ ...settings, TROUPE_KAFKA_DRIVER: process.env.TROUPE_KAFKA_DRIVER }),
    { clientId: 'kafka-cluster-test' },
  );

async function until(condition: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

beforeAll(async () => {
  const up = await stackCli('up', env, ['--brokers', '3']);
  expect(up.code).toBe(0);
  settings = settingsOf(up.stdout);
}, 180_000);

afterAll(async () => {
  await stackCli('down', env);
  rmSync(stateDir, { recursive: true, force: true });
});

it('starts three nodes; every topic, internal ones included, has three replicas and needs two in sync', async () => {
  expect(settings.TROUPE_KAFKA_BROKERS!.split(',')).toHaveLength(3);
  expect(await status()).toEqual({
    'kafka-1': true,
    'kafka-2': true,
    'kafka-3': true,
    redis: true,
    postgresql: true,
    'schema-registry': true,
  });
  const internal = await listed('_', true);
  expect(internal.map((t) => t.name).sort()).toEqual(['__consumer_offsets', '_schemas']);
  for (const topic of internal)
    expect(topic).toMatchObject({ replicationFactor: 3, inSyncReplicas: 3, minInSyncReplicas: 2 });
});

it('the leader killed mid-stream: no acknowledged record lost, writes go on with two in sync, the node restarted catches up', async () => {
  const topic = 'cluster.orders';
  const kafka = driver();
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  try {
    await admin.createTopics([{ topic, partitions: 1 }]);
    const [partition] = (await admin.describeTopics([topic]))[0]!.partitions;
    const leader = `kafka-${partition!.leader}`;
    await producer.connect();
    // One record per send, each acknowledged by the in-sync replicas (acks=-1) before the next.
    const acknowledged: string[] = [];
    const failures: string[] = [];
    let killedAt = 0;
    for (let i = 0; i < 300; i += 1) {
      if (i === 100) {
        expect((await stackCli('kill', env, [leader])).code).toBe(0);
        killedAt = Date.now();
      }
      const value = `order-${i}`;
      await producer
        .send([{ topic, records: [{ key: Buffer.from(`k${i % 7}`), value: Buffer.from(value) }] }])
        .then(
          () => acknowledged.push(value),
          (error: Error) => failures.push(`${value}: ${error.message}`),
        );
    }
    process.stderr.write(
      `leader ${leader} killed: ${acknowledged.length} acknowledged, ${failures.length} failed, ` +
        `${((Date.now() - killedAt) / 1000).toFixed(1)} s for the 200 after the kill\n`,
    );
    // The driver's own retries ride out the leader change: no send failed.
    expect(failures).toEqual([]);
    expect((await status())[leader]).toBe(false);
    const moved = (await admin.describeTopics([topic]))[0]!.partitions[0]!;
    expect(`kafka-${moved.leader}`).not.toBe(leader);
    expect(moved.isr).toHaveLength(2);
    expect(await listed(topic)).toEqual([
      expect.objectContaining({ replicationFactor: 3, inSyncReplicas: 2, minInSyncReplicas: 2 }),
    ]);

    expect((await stackCli('restart', env, [leader])).code).toBe(0);
    await until(
      async () => (await listed(topic))[0]!.inSyncReplicas === 3,
      60_000,
      `${leader} back in sync`,
    );
    const offsets = await admin.topicOffsets(topic);
    expect(offsets).toEqual([{ partition: 0, low: '0', high: String(acknowledged.length) }]);
  } finally {
    await producer.disconnect();
    await admin.disconnect();
  }
});

it('stack:up asking for another number of nodes than the running stack has is refused, and it keeps running', async () => {
  const result = await stackCli('up', env, ['--brokers=1']);
  expect(result.code).toBe(1);
  expect(result.stderr.trimEnd().split('\n')).toEqual([
    expect.stringMatching(
      /^troupe-stack: a stack with 3 Kafka nodes is running \(.+\): stop it with npm run stack:down first$/,
    ),
  ]);
  expect(Object.values(await status()).every(Boolean)).toBe(true);
  const bad = await stackCli('up', env, ['--brokers', 'three']);
  expect(bad.code).toBe(1);
  expect(bad.stderr.trimEnd()).toBe(
    'troupe-stack: --brokers expects the number of Kafka nodes (1 or more, e.g. --brokers 3), found "three"',
  );
});
