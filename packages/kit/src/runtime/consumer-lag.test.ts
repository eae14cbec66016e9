import { ServiceMetrics } from '../observability/metrics';
import type { Logger } from 'pino';
import { ConsumerLag, lagOf, newerHigh } from './consumer-lag';

async function lagSeries(metrics: ServiceMetrics): Promise<Record<string, number>> {
  const values = (await metrics.registry.getSingleMetric('troupe_consumer_lag')?.get())?.values;
  return Object.fromEntries(
    (values ?? []).map((v) => [`${v.labels.topic}/${v.labels.partition}`, v.value]),
  );
}

test('records lag only for assigned partitions, from the next offset to process', async () => {
  const metrics = new ServiceMetrics('svc', { defaultMetrics: false });
  const lag = new ConsumerLag(metrics);
  lag.record('t', 0, '10', '4'); // before any join: not ours
  expect(await lagSeries(metrics)).toEqual({});

  lag.assign({ t: [0, 1] });
  lag.record('t', 0, '10', '4');
  lag.record('t', 1, '7', '7');
  lag.record('t', 2, '9', '0'); // a partition another member owns
  expect(await lagSeries(metrics)).toEqual({ 't/0': 6, 't/1': 0 });
});

test('a rejoin removes the series of partitions lost and keeps the others; clear removes all', async () => {
  const metrics = new ServiceMetrics('svc', { defaultMetrics: false });
  const lag = new ConsumerLag(metrics);
  lag.assign({ t: [0, 1], u: [0] });
  lag.record('t', 0, '10', '4');
  lag.record('t', 1, '10', '8');
  lag.record('u', 0, '3', '1');

  lag.assign({ t: [1] });
  expect(await lagSeries(metrics)).toEqual({ 't/1': 2 });
  lag.record('t', 0, '12', '4'); // a straggling batch of the lost partition
  expect(await lagSeries(metrics)).toEqual({ 't/1': 2 });

  lag.clear();
  expect(await lagSeries(metrics)).toEqual({});
});

test('lag is the high watermark minus the first unsettled offset, never negative; watermarks never go back', () => {
  expect(lagOf(20n, 13n)).toBe(7);
  expect(lagOf(13n, 13n)).toBe(0);
  expect(lagOf(12n, 13n)).toBe(0);
  expect(newerHigh(undefined, 5n)).toBe(5n);
  expect(newerHigh(9n, 5n)).toBe(9n);
  expect(newerHigh(9n, 11n)).toBe(11n);
});

test('refreshed watermarks recompute the lag of recorded partitions from their first unsettled offset', async () => {
  const metrics = new ServiceMetrics('svc', { defaultMetrics: false });
  const lag = new ConsumerLag(metrics);
  lag.assign({ t: [0, 1, 2] });
  lag.record('t', 0, '10', '4'); // a batch starts at 4 and gets stuck there
  lag.record('t', 1, '7', '7');
  // Partition 2 has no batch yet (its first unsettled offset is unknown); 3 is another member's.
  lag.refresh('t', [
    { partition: 0, high: '25' },
    { partition: 1, high: '9' },
    { partition: 2, high: '30' },
    { partition: 3, high: '30' },
  ]);
  expect(await lagSeries(metrics)).toEqual({ 't/0': 21, 't/1': 2 });
  expect(lag.refreshableTopics()).toEqual(['t']);

  // The stuck batch ends having settled up to 9, with the (older) watermark of its fetch.
  lag.record('t', 0, '10', '9');
  expect(await lagSeries(metrics)).toEqual({ 't/0': 16, 't/1': 2 });

  // A partition lost in a rebalance is refreshed no more.
  lag.assign({ t: [1] });
  lag.refresh('t', [
    { partition: 0, high: '40' },
    { partition: 1, high: '12' },
  ]);
  expect(await lagSeries(metrics)).toEqual({ 't/1': 5 });
});

/** An admin client whose watermarks the test sets, counting reads per topic. */
function fakeAdmin(highs: Record<string, Record<number, number>>) {
  const reads: string[] = [];
  let fail = false;
  const admin = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    topicOffsets: jest.fn(async (topic: string) => {
      reads.push(topic);
      if (fail) throw new Error('broker unreachable');
      return Object.entries(highs[topic] ?? {}).map(([partition, high]) => ({
        partition: Number(partition),
        offset: String(high),
        high: String(high),
        low: '0',
      }));
    }),
  };
  return { admin, reads, failNext: (value: boolean) => (fail = value) };
}

function recordingLogger() {
  const lines: { level: string; msg: string }[] = [];
  const log = (level: string) => (_fields: unknown, msg: string) => lines.push({ level, msg });
  const logger = { warn: log('warn'), debug: log('debug') } as unknown as Logger;
  return { logger, lines };
}

async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

test('the refresh timer follows the watermarks of owned partitions, survives failed reads and stops on close', async () => {
  const metrics = new ServiceMetrics('svc', { defaultMetrics: false });
  const highs: Record<string, Record<number, number>> = { t: { 0: 10, 1: 10 }, u: { 0: 3 } };
  const { admin, reads, failNext } = fakeAdmin(highs);
  const { logger, lines } = recordingLogger();
  const lag = new ConsumerLag(metrics, { admin, intervalMs: 5, logger });
  try {
    lag.assign({ t: [0, 1], u: [0] });
    lag.record('t', 0, '10', '4');
    lag.record('u', 0, '3', '1');
    highs.t![0] = 14; // records keep arriving while the batch is stuck
    await until(async () => (await lagSeries(metrics))['t/0'] === 10, 'the refreshed lag');
    expect(await lagSeries(metrics)).toEqual({ 't/0': 10, 'u/0': 2 });

    // Failed reads are logged (a warning once, then debug) and never thrown; the next one works.
    failNext(true);
    const before = reads.length;
    await until(() => reads.length >= before + 4, 'failed reads');
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1);
    failNext(false);
    highs.t![0] = 20;
    await until(async () => (await lagSeries(metrics))['t/0'] === 16, 'the lag after recovery');

    // Losing u: it is read no more.
    lag.assign({ t: [0, 1] });
    const afterRevoke = reads.length;
    await until(() => reads.length >= afterRevoke + 3, 'more reads');
    expect(reads.slice(afterRevoke + 1)).not.toContain('u');
  } finally {
    await lag.close();
  }
  expect(admin.disconnect).toHaveBeenCalledTimes(1);
  const closedAt = reads.length;
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(reads.length).toBe(closedAt);
});

test('close does not wait for a read that hangs (an unreachable broker) and logs nothing for it', async () => {
  const metrics = new ServiceMetrics('svc', { defaultMetrics: false });
  let reading = false;
  const admin = {
    connect: jest.fn(async () => undefined),
    disconnect: jest.fn(async () => undefined),
    topicOffsets: jest.fn(() => {
      reading = true;
      return new Promise<never>(() => undefined);
    }),
  };
  const { logger, lines } = recordingLogger();
  const lag = new ConsumerLag(metrics, { admin, intervalMs: 5, logger });
  lag.assign({ t: [0] });
  lag.record('t', 0, '10', '4');
  await until(() => reading, 'a read to start');
  await lag.close();
  expect(admin.disconnect).toHaveBeenCalledTimes(1);
  expect(lines).toEqual([]);
});
