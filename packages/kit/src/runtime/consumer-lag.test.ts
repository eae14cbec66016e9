import { ServiceMetrics } from '../observability/metrics';
import { ConsumerLag } from './consumer-lag';

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
