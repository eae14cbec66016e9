import { TroupeService, defineService } from '@troupe/kit';
import {
  TestEvents,
  committedOffsets,
  createTopics,
  readTopic,
  testPublisher,
  testService,
  uniqueName,
  waitFor,
} from './support/runtime-support';

jest.setTimeout(60_000);

async function metricValues(service: TroupeService, name: string) {
  return (await service.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
}

test('an open breaker pauses consumption without spending retries; it resumes when the dependency recovers, skipping nothing', async () => {
  const topic = uniqueName('rt-breaker');
  await createTopics([{ topic, partitions: 2 }]);
  const name = uniqueName('breaker-svc');

  let dependencyUp = true;
  let handlerCalls = 0;
  let dependencyCalls = 0;
  const handled = new Map<string, number[]>();
  const service = testService(
    defineService<TestEvents>()({
      name,
      topics: [topic],
      consumes: {
        'test.runtime.Counted': {
          dependsOn: ['deploy-api'],
          handle: async (payload, ctx) => {
            handlerCalls++;
            await ctx.breaker('deploy-api').run(async () => {
              dependencyCalls++;
              if (!dependencyUp) throw new Error('deploy API unreachable');
            });
            const list = handled.get(payload.key) ?? [];
            handled.set(payload.key, [...list, payload.seq]);
          },
        },
      },
    }),
    {
      breakers: {
        perName: {
          'deploy-api': {
            volumeThreshold: 2,
            errorThresholdPercentage: 50,
            resetTimeoutMs: 1_000,
            rollingWindowMs: 1_000,
          },
        },
      },
      retry: { attempts: 3, backoffBaseMs: 10, backoffMaxMs: 20, topicDelaysMs: [200] },
    },
  );
  await service.start();
  const publisher = await testPublisher();
  const publish = (from: number, to: number) =>
    publisher.publishMany(
      Array.from({ length: to - from }, (_, i) => from + i).flatMap((seq) =>
        ['a', 'b', 'c', 'd'].map((key) => ({
          type: 'test.runtime.Counted',
          topic,
          key,
          payload: { key, seq, note: null },
        })),
      ),
    );
  const total = () => [...handled.values()].reduce((n, l) => n + l.length, 0);
  try {
    await publish(0, 5);
    await waitFor(() => total() === 20, 20_000, 'the first 20 events');

    // Let the successes age out of the 1 s statistics window, so two failures open the breaker.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    dependencyUp = false;
    await publish(5, 10);
    await waitFor(
      () => service.breakers.get('deploy-api').state === 'open',
      10_000,
      'the breaker to open',
    );
    const callsAtOpen = handlerCalls;
    const dependencyCallsAtOpen = dependencyCalls;
    const openedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const outageCalls = handlerCalls - callsAtOpen;
    const outageDependencyCalls = dependencyCalls - dependencyCallsAtOpen;
    const trials = Math.ceil((Date.now() - openedAt) / 1_000);

    // While open the handler is not called (dependsOn); each half-open lets one trial through,
    // and a second partition may reach the handler in the same instant and be turned away.
    expect(outageCalls).toBeLessThanOrEqual(2 * trials);
    // The dependency that is down is left alone but for those trials.
    expect(outageDependencyCalls).toBeLessThanOrEqual(trials);
    expect(total()).toBe(20); // nothing handled while the dependency is down...
    const offsets = await committedOffsets(name, topic);
    expect([...offsets.values()].reduce((a, b) => a + b, 0)).toBe(20); // ...and nothing committed past it
    const paused = await metricValues(service, 'troupe_paused_partitions');
    expect(paused.find((v) => v.labels.reason === 'breaker')?.value).toBeGreaterThanOrEqual(1);
    const transitions = await metricValues(service, 'troupe_breaker_transitions_total');
    expect(transitions.find((v) => v.labels.state === 'open')?.value).toBeGreaterThanOrEqual(1);

    dependencyUp = true;
    await publish(10, 15);
    await waitFor(() => total() === 60, 20_000, `all 60 events after recovery (at ${total()})`);
    expect(service.breakers.get('deploy-api').state).toBe('closed');
  } finally {
    await publisher.disconnect();
    await service.stop();
  }

  // Nothing skipped, order per key kept, each event handled once.
  for (const key of ['a', 'b', 'c', 'd'])
    expect(handled.get(key)).toEqual(Array.from({ length: 15 }, (_, i) => i));
  // No retries were spent on the outage: nothing went to a retry topic or the DLQ.
  const retries = await metricValues(service, 'troupe_retries_total');
  expect(retries.find((v) => v.labels.stage === 'retry-topic')?.value ?? 0).toBe(0);
  expect(retries.find((v) => v.labels.stage === 'in-process')?.value ?? 0).toBeLessThanOrEqual(2);
  await expect(readTopic(`${topic}.retry.1`, (r) => r.length > 0, 1_500)).rejects.toThrow(
    /not met/,
  );
  const offsets = await committedOffsets(name, topic);
  expect([...offsets.values()].reduce((a, b) => a + b, 0)).toBe(60);
});
