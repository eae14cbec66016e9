import { Events, RequestSamples } from '@troupe/contracts';
import { Headers, Publisher, createKafkaDriver, headerString, loadConfig } from '@troupe/kit';
import { GroupConsumer, nextOffset } from '@troupe/kit/internal';
import { createTopics, testKafka, uniqueName, withTestAdmin } from '@troupe/testkit';
import { createPipelineCodec } from '@troupe-services/pipeline';
import { startWatchdog } from '@troupe-services/watchdog';

/**
 * The watchdog's rolling windows live in Redis: a watchdog stopped after the spike began and a new
 * one started in its place still dates the spike to its first window (seen only by the first
 * instance), and the canary is reported once.
 */
jest.setTimeout(90_000);

const WINDOW_MS = 100;
const samplesTopic = uniqueName('wd-samples');
const releasesTopic = uniqueName('wd-releases');
const env = {
  ...process.env,
  TROUPE_SAMPLES_TOPIC: samplesTopic,
  TROUPE_RELEASES_TOPIC: releasesTopic,
  TROUPE_PIPELINE_NAMESPACE: uniqueName('wd'),
  TROUPE_LOG_LEVEL: 'warn',
  TROUPE_RETRY_TOPIC_DELAYS: 'none',
  TROUPE_CONSUMER_SESSION_TIMEOUT: '6s',
};
const codec = createPipelineCodec(loadConfig(env), true);
const publisher = new Publisher({
  kafka: createKafkaDriver(loadConfig(env).kafka, { clientId: 'wd-test' }),
  codec,
  source: 'wd-test',
});
const releaseId = uniqueName('release');
const base = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS - 60_000;
let consumer: GroupConsumer | undefined;
const degraded: { firstBadSampleAt: Date; id: string }[] = [];

/** Window i: stable 160 requests with 2 errors; canary 40 requests, healthy (1 error every other window) or spiking (12). */
async function publishWindow(i: number, spiking: boolean): Promise<void> {
  const windowStart = new Date(base + i * WINDOW_MS);
  const sample = (
    version: string,
    release: string | null,
    requests: number,
    errors: number,
  ): RequestSamples => ({
    service: 'search',
    version,
    releaseId: release,
    windowStart,
    windowMs: WINDOW_MS,
    requests,
    errors,
    latencyP50Ms: 40,
    latencyP99Ms: 120,
  });
  await publisher.publishMany([
    {
      type: Events.RequestSamples,
      topic: samplesTopic,
      key: 'search',
      payload: sample('1.0.0', null, 160, 2),
    },
    {
      type: Events.RequestSamples,
      topic: samplesTopic,
      key: 'search',
      payload: sample('2.0.0-canary', releaseId, 40, spiking ? 12 : i % 2),
    },
  ]);
}

beforeAll(async () => {
  await createTopics([
    { topic: samplesTopic, partitions: 2 },
    { topic: releasesTopic, partitions: 2 },
  ]);
  await publisher.connect();
  consumer = testKafka('wd-test-reader').consumer({ groupId: uniqueName('wd-reader') });
  await consumer.run({
    topics: [releasesTopic],
    fromBeginning: true,
    partitionConcurrency: 1,
    onBatch: async ({ records }, control) => {
      for (const record of records) {
        const type = headerString(record.headers, Headers.type);
        if (type !== Events.CanaryDegraded) continue;
        const decoded = await codec.decode(releasesTopic, type, record.value, record.headers);
        degraded.push({
          ...(decoded.payload as { firstBadSampleAt: Date }),
          id: headerString(record.headers, Headers.id) ?? '',
        });
      }
      const last = records.at(-1);
      if (last) await control.commit(nextOffset(last.offset));
    },
  });
});

afterAll(async () => {
  await consumer?.stop();
  await publisher.disconnect();
});

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`expected ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a restarted watchdog keeps the windows seen before the restart and reports the canary once', async () => {
  const first = await startWatchdog(env);
  for (let i = 0; i < 20; i++) await publishWindow(i, false);
  await publishWindow(20, true); // the spike begins: not yet enough evidence (z ≈ 3.1 < 4)
  // Let the first instance handle everything, then stop it (it commits what it handled).
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  await first.stop();
  expect(degraded).toHaveLength(0);
  // The first instance committed every sample: the second one starts after them, so whatever it
  // knows of windows 0-20 it knows from Redis.
  await withTestAdmin(async (admin) => {
    const committed = await admin.committedOffsets(first.name, [samplesTopic]);
    const ends = await admin.topicOffsets(samplesTopic);
    const sum = (offsets: string[]) => offsets.reduce((n, o) => n + Math.max(0, Number(o)), 0);
    expect(sum(committed.map((c) => c.offset))).toBe(sum(ends.map((e) => e.high)));
    expect(sum(ends.map((e) => e.high))).toBe(42);
  });

  const second = await startWatchdog(env);
  try {
    for (let i = 21; i < 24; i++) await publishWindow(i, true);
    await until('CanaryDegraded', () => degraded.length > 0, 30_000);
    // Dated to window 20, which only the first instance saw: the state came from Redis.
    expect(degraded[0]?.firstBadSampleAt.getTime()).toBe(base + 20 * WINDOW_MS);
    for (let i = 24; i < 27; i++) await publishWindow(i, true);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(degraded).toHaveLength(1);
    expect(degraded[0]?.id).toBe(`${releaseId}.CanaryDegraded`);
  } finally {
    await second.stop();
  }
});
