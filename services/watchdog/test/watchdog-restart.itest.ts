import { Events, RequestSamples } from '@troupe/contracts';
import { Headers, Publisher, createKafka, headerString, loadConfig } from '@troupe/kit';
import { createTopics, testKafka, uniqueName } from '@troupe/testkit';
import { createPipelineCodec } from '@troupe-services/pipeline';
import { startWatchdog } from '@troupe-services/watchdog';
import { Consumer } from 'kafkajs';

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
  kafka: createKafka(loadConfig(env).kafka, { clientId: 'wd-test' }),
  codec,
  source: 'wd-test',
});
const releaseId = uniqueName('release');
const base = Math.floor(Date.now() / WINDOW_MS) * WINDOW_MS - 60_000;
let consumer: Consumer | undefined;
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
    { topic: samplesTopic, numPartitions: 2 },
    { topic: releasesTopic, numPartitions: 2 },
  ]);
  await publisher.connect();
  consumer = testKafka('wd-test-reader').consumer({ groupId: uniqueName('wd-reader') });
  await consumer.connect();
  await consumer.subscribe({ topic: releasesTopic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const type = headerString(message.headers, Headers.type);
      if (type !== Events.CanaryDegraded) return;
      const decoded = await codec.decode(releasesTopic, type, message.value, message.headers);
      degraded.push({
        ...(decoded.payload as { firstBadSampleAt: Date }),
        id: headerString(message.headers, Headers.id) ?? '',
      });
    },
  });
});

afterAll(async () => {
  await consumer?.disconnect();
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
  const admin = testKafka('wd-test-admin').admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId: first.name, topics: [samplesTopic] });
    const ends = await admin.fetchTopicOffsets(samplesTopic);
    const sum = (offsets: { offset: string }[]) =>
      offsets.reduce((n, o) => n + Math.max(0, Number(o.offset)), 0);
    expect(sum(committed?.partitions ?? [])).toBe(sum(ends));
    expect(sum(ends)).toBe(42);
  } finally {
    await admin.disconnect();
  }

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
