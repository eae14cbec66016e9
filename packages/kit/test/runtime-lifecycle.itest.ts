import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TroupeService, defineService } from '@troupe/kit';
import { removeScratchDirs, scratchDir } from '@troupe/testkit';
import {
  TestEvents,
  committedOffsets,
  createTopics,
  testPublisher,
  testService,
  uniqueName,
  waitFor,
} from './support/runtime-support';

afterAll(removeScratchDirs);

jest.setTimeout(100_000);

const PARTITIONS = 4;

/** Publishes `count` events over 20 keys; returns their ids. */
async function publishEvents(topic: string, count: number): Promise<string[]> {
  const publisher = await testPublisher();
  const ids: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) => {
      const key = `key-${(start + i) % 20}`;
      return {
        type: 'test.runtime.Counted',
        topic,
        key,
        payload: { key, seq: start + i, note: null },
      };
    });
    ids.push(...(await publisher.publishMany(batch)).map((e) => e.id));
  }
  await publisher.disconnect();
  return ids;
}

/** A service that records every handling: id → count, and (partition:offset) handled. */
function recordingService(
  topic: string,
  group: string,
  log: { byId: Map<string, number>; positions: Set<string> },
  delayMs = 1,
): TroupeService {
  return testService(
    defineService<TestEvents>()({
      name: group,
      topics: [topic],
      consumes: {
        'test.runtime.Counted': async (_payload, ctx) => {
          if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
          log.byId.set(ctx.metadata.id, (log.byId.get(ctx.metadata.id) ?? 0) + 1);
          log.positions.add(`${ctx.metadata.partition}:${ctx.metadata.offset}`);
        },
      },
    }),
    { partitionConcurrency: PARTITIONS, retry: { topicDelaysMs: [] } },
  );
}

/** Every offset below the group's committed offset was handled: nothing committed unhandled. */
async function expectCommittedWereHandled(
  group: string,
  topic: string,
  handled: Set<string>,
): Promise<number> {
  const offsets = await committedOffsets(group, topic);
  let committed = 0;
  for (const [partition, next] of offsets) {
    for (let offset = 0; offset < next; offset++) {
      if (!handled.has(`${partition}:${offset}`))
        throw new Error(`offset ${partition}:${offset} committed but never handled`);
    }
    committed += Math.max(0, next);
  }
  return committed;
}

test('stop() during a batch: in-flight events finish and are committed, nothing unhandled is committed, nothing is lost after restart', async () => {
  const topic = uniqueName('rt-stop');
  await createTopics([{ topic, partitions: PARTITIONS }]);
  const ids = await publishEvents(topic, 2_000);
  const group = uniqueName('stop-svc');

  const first = { byId: new Map<string, number>(), positions: new Set<string>() };
  const one = recordingService(topic, group, first);
  await one.start();
  await waitFor(() => first.byId.size >= 300, 30_000, '300 events handled');
  await one.stop({ deadlineMs: 10_000 }); // what SIGTERM does
  const handledBeforeStop = first.byId.size;
  expect(handledBeforeStop).toBeLessThan(2_000); // it really stopped mid-stream
  const committed = await expectCommittedWereHandled(group, topic, first.positions);
  // A graceful stop commits what it handled: no handled event is left uncommitted.
  expect(committed).toBe(first.positions.size);

  const second = { byId: new Map<string, number>(), positions: new Set<string>() };
  const two = recordingService(topic, group, second, 0);
  await two.start();
  await waitFor(
    () => first.byId.size + second.byId.size >= 2_000,
    30_000,
    'all events handled after restart',
  );
  await two.stop();

  const all = new Map(first.byId);
  for (const [id, n] of second.byId) all.set(id, (all.get(id) ?? 0) + n);
  for (const id of ids) expect(all.get(id)).toBe(1); // none lost, none handled twice
  expect(
    await expectCommittedWereHandled(
      group,
      topic,
      new Set([...first.positions, ...second.positions]),
    ),
  ).toBe(2_000);
});

test('a real SIGTERM to a service process drains, commits and exits 0; nothing is lost', async () => {
  const topic = uniqueName('rt-sigterm');
  await createTopics([{ topic, partitions: PARTITIONS }]);
  const ids = await publishEvents(topic, 3_000);
  const group = uniqueName('sigterm-svc');
  const handledFile = join(scratchDir('troupe-sigterm'), 'handled.txt');
  const readHandled = () =>
    existsSync(handledFile) ? readFileSync(handledFile, 'utf8').split('\n').filter(Boolean) : [];

  const tsx = join(__dirname, '../../../node_modules/.bin/tsx');
  const child = spawn(tsx, [join(__dirname, 'support/sigterm-child.ts')], {
    env: {
      ...process.env,
      TOPIC: topic,
      GROUP: group,
      HANDLED_FILE: handledFile,
      TROUPE_SHUTDOWN_TIMEOUT: '10s',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await waitFor(
      () => readHandled().length >= 200,
      60_000,
      `the child to handle 200 events (stderr: ${stderr})`,
    );
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), 20_000))),
    ]);
    clearTimeout(timer);
    expect(code).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
  const lines = readHandled();
  expect(lines.length).toBeLessThan(3_000);
  const positions = new Set(lines.map((line) => line.split(':').slice(0, 2).join(':')));
  expect(await expectCommittedWereHandled(group, topic, positions)).toBe(positions.size);

  const rest = { byId: new Map<string, number>(), positions: new Set<string>() };
  const after = recordingService(topic, group, rest, 0);
  await after.start();
  await waitFor(
    () => positions.size + rest.positions.size >= 3_000,
    30_000,
    'the rest after restart',
  );
  await after.stop();
  const all = new Map<string, number>();
  for (const line of lines) {
    const id = line.split(':')[2]!;
    all.set(id, (all.get(id) ?? 0) + 1);
  }
  for (const [id, n] of rest.byId) all.set(id, (all.get(id) ?? 0) + n);
  for (const id of ids) expect(all.get(id)).toBe(1);
});

test('a second instance joining and leaving mid-stream loses nothing', async () => {
  const topic = uniqueName('rt-rebalance');
  await createTopics([{ topic, partitions: PARTITIONS }]);
  const group = uniqueName('rebalance-svc');
  const log = { byId: new Map<string, number>(), positions: new Set<string>() };
  const a = recordingService(topic, group, log, 2);
  const b = recordingService(topic, group, log, 2);
  await a.start();
  const ids = await publishEvents(topic, 3_000);
  try {
    await waitFor(
      () => log.byId.size >= 400,
      30_000,
      '400 events before the second instance joins',
    );
    await b.start();
    await waitFor(() => b.ready().ok, 20_000, 'the second instance to get partitions');
    const atJoin = log.byId.size;
    await waitFor(
      () => log.byId.size >= atJoin + 500,
      30_000,
      '500 more events with two instances',
    );
    await b.stop();
    await waitFor(() => log.byId.size >= 3_000, 60_000, `all 3,000 events (at ${log.byId.size})`);
  } finally {
    await a.stop();
    await b.stop();
  }
  for (const id of ids) expect(log.byId.get(id)).toBeGreaterThanOrEqual(1);
  const duplicates = [...log.byId.values()].filter((n) => n > 1).length;
  process.stdout.write(`rebalance test: ${duplicates} events handled twice\n`);
  // At-least-once: a rebalance may redeliver events handled but not yet committed; here batches commit as they end.
  expect(duplicates).toBeLessThan(100);
  expect(await expectCommittedWereHandled(group, topic, log.positions)).toBe(3_000);
});
