import { DeadLetterHeaders, Headers, TroupeService, defineService } from '@troupe/kit';
import {
  TestEvents,
  createTopics,
  header,
  readTopic,
  testCodec,
  testKafka,
  testPublisher,
  testService,
  uniqueName,
  waitFor,
} from './support/runtime-support';

jest.setTimeout(60_000);

const running: TroupeService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
});

test('ctx.publish carries correlation, causation and trace context from the event being handled', async () => {
  const input = uniqueName('rt-ctx-in');
  const output = uniqueName('rt-ctx-out');
  await createTopics([
    { topic: input, partitions: 1 },
    { topic: output, partitions: 1 },
  ]);
  const name = uniqueName('ctx-svc');
  const service = testService(
    defineService<TestEvents>()({
      name,
      topics: [input],
      publishes: { 'test.runtime.Noted': output },
      consumes: {
        'test.runtime.Counted': async (payload, ctx) => {
          ctx.log.info('handling'); // the child logger exists and is usable
          // Not awaited on purpose: the runtime still waits for it before committing.
          void ctx.publish(
            'test.runtime.Noted',
            { text: `seen ${payload.seq}` },
            { key: payload.key },
          );
          // An event that reports on another flow joins that flow; causation still points here.
          await ctx.publish(
            'test.runtime.Noted',
            { text: 'joins another flow' },
            { key: payload.key, correlationId: 'flow-other' },
          );
        },
      },
    }),
  );
  running.push(service);
  await service.start();

  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const publisher = await testPublisher();
  const incoming = await publisher.publish({
    type: 'test.runtime.Counted',
    topic: input,
    key: 'r-1',
    correlationId: 'flow-42',
    traceparent,
    payload: { key: 'r-1', seq: 7, note: null },
  });
  await publisher.disconnect();

  const records = await readTopic(output, (found) => found.length >= 2);
  const joined = records.find((r) => header(r, Headers.correlationId) === 'flow-other');
  const out = records.find((r) => r !== joined);
  expect(header(joined!, Headers.causationId)).toBe(incoming.id);
  expect(out!.key).toBe('r-1');
  expect(header(out!, Headers.type)).toBe('test.runtime.Noted');
  expect(header(out!, Headers.source)).toBe(name);
  expect(header(out!, Headers.correlationId)).toBe('flow-42');
  expect(header(out!, Headers.causationId)).toBe(incoming.id);
  expect(header(out!, Headers.id)).not.toBe(incoming.id);
  // Same trace (no SDK registered here, so the span id is the incoming one as well).
  expect(header(out!, Headers.traceparent)?.slice(0, 35)).toBe(traceparent.slice(0, 35));
});

test('every event carries a traceparent: one published outside a trace starts one, its handler continues it', async () => {
  const input = uniqueName('rt-trace-in');
  const output = uniqueName('rt-trace-out');
  await createTopics([
    { topic: input, partitions: 1 },
    { topic: output, partitions: 1 },
  ]);
  const service = testService(
    defineService<TestEvents>()({
      name: uniqueName('trace-svc'),
      topics: [input],
      publishes: { 'test.runtime.Noted': output },
      consumes: {
        'test.runtime.Counted': async (payload, ctx) => {
          for (const text of ['one', 'two'])
            await ctx.publish('test.runtime.Noted', { text }, { key: payload.key });
        },
      },
    }),
  );
  running.push(service);
  await service.start();

  const publisher = await testPublisher();
  const first = await publisher.publish({
    type: 'test.runtime.Counted',
    topic: input,
    key: 't-1',
    payload: { key: 't-1', seq: 1, note: null },
  });
  await publisher.disconnect();
  expect(first.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

  const [incoming] = await readTopic(input, (found) => found.length >= 1);
  expect(header(incoming!, Headers.traceparent)).toBe(first.traceparent);
  const records = await readTopic(output, (found) => found.length >= 2);
  const traces = records.map((r) => header(r, Headers.traceparent)?.slice(0, 35));
  expect(traces).toEqual([first.traceparent!.slice(0, 35), first.traceparent!.slice(0, 35)]);

  // A producer that does not trace (no traceparent header): the handler starts one trace for all
  // that it publishes.
  const producer = testKafka(uniqueName('untraced')).producer();
  await producer.connect();
  await producer.send([
    {
      topic: input,
      records: [
        {
          key: 't-2',
          value: await testCodec().encode(input, 'test.runtime.Counted', {
            key: 't-2',
            seq: 2,
            note: null,
          }),
          headers: { [Headers.type]: 'test.runtime.Counted', [Headers.id]: 'untraced-1' },
        },
      ],
    },
  ]);
  await producer.disconnect();
  const all = await readTopic(output, (found) => found.length >= 4);
  const minted = all.slice(2).map((r) => header(r, Headers.traceparent));
  expect(minted[0]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  expect(minted[1]).toBe(minted[0]);
  expect(minted[0]!.slice(0, 35)).not.toBe(first.traceparent!.slice(0, 35));
});

test('publishing an undeclared event type is a permanent failure: the event is dead-lettered at once', async () => {
  const topic = uniqueName('rt-undeclared');
  await createTopics([{ topic, partitions: 1 }]);
  let calls = 0;
  const service = testService(
    defineService<TestEvents>()({
      name: uniqueName('undeclared-svc'),
      topics: [topic],
      consumes: {
        'test.runtime.Counted': async (payload, ctx) => {
          calls++;
          // @ts-expect-error -- not in `publishes`: rejected by the type checker, and at run time.
          await ctx.publish('test.runtime.Noted', { text: 'x' }, { key: payload.key });
        },
      },
    }),
  );
  running.push(service);
  await service.start();
  const publisher = await testPublisher();
  await publisher.publish({
    type: 'test.runtime.Counted',
    topic,
    key: 'k',
    payload: { key: 'k', seq: 1, note: null },
  });
  await publisher.disconnect();
  const [dead] = await readTopic(`${topic}.dlq`, (records) => records.length >= 1);
  expect(header(dead!, DeadLetterHeaders.errorCode)).toBe('EVENT_INVALID');
  expect(calls).toBe(1);
});

test("unhandledEvents 'dead-letter': an event no handler takes goes to the DLQ with the reason; handled ones flow", async () => {
  const topic = uniqueName('rt-unhandled');
  await createTopics([{ topic, partitions: 1 }]);
  const handled: number[] = [];
  const name = uniqueName('unhandled-svc');
  const service = testService(
    defineService<TestEvents>()({
      name,
      topics: [topic],
      consumes: { 'test.runtime.Counted': (payload) => void handled.push(payload.seq) },
    }),
    { unhandledEvents: 'dead-letter' },
  );
  running.push(service);
  await service.start();
  const publisher = await testPublisher();
  await publisher.publish({
    type: 'test.runtime.Counted',
    topic,
    key: 'k',
    payload: { key: 'k', seq: 1, note: null },
  });
  const noted = await publisher.publish({
    type: 'test.runtime.Noted',
    topic,
    key: 'k',
    payload: { text: 'nobody here handles me' },
  });
  await publisher.publish({
    type: 'test.runtime.Counted',
    topic,
    key: 'k',
    payload: { key: 'k', seq: 2, note: null },
  });
  await publisher.disconnect();
  const [dead] = await readTopic(`${topic}.dlq`, (records) => records.length >= 1);
  expect(header(dead!, Headers.id)).toBe(noted.id);
  expect(header(dead!, DeadLetterHeaders.errorMessage)).toBe(
    `service ${name} has no handler for event type test.runtime.Noted`,
  );
  await waitFor(() => handled.length === 2, 20_000, 'the handled events around it');
  expect(handled).toEqual([1, 2]);
});

test('the ops server answers /healthz, /readyz and /metrics', async () => {
  const topic = uniqueName('rt-ops');
  await createTopics([{ topic, partitions: 2 }]);
  let handled = 0;
  const service = testService(
    defineService<TestEvents>()({
      name: uniqueName('ops-svc'),
      topics: [topic],
      consumes: { 'test.runtime.Counted': () => void handled++ },
    }),
    { http: { port: 0, host: '127.0.0.1' } },
  );
  running.push(service);
  await service.start();
  const base = `http://127.0.0.1:${service.httpPort}`;
  const publisher = await testPublisher();
  await publisher.publishMany(
    [1, 2, 3].map((seq) => ({
      type: 'test.runtime.Counted',
      topic,
      key: `k${seq}`,
      payload: { key: `k${seq}`, seq, note: null },
    })),
  );
  await publisher.disconnect();
  await waitFor(() => handled === 3, 20_000, 'three events');

  const health = await fetch(`${base}/healthz`);
  expect(health.status).toBe(200);
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: 'ok', assignedPartitions: 2 });
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toMatch(
    new RegExp(
      `troupe_events_handled_total\\{topic="${topic}",type="test.runtime.Counted",outcome="handled",service="${service.name}"\\} 3`,
    ),
  );
  expect(metrics).toContain('troupe_handler_duration_seconds_bucket');
  expect(metrics).toMatch(/troupe_consumer_lag\{topic="[^"]+",partition="\d"/);
  expect((await fetch(`${base}/nope`)).status).toBe(404);

  await service.stop();
  expect(service.ready().ok).toBe(false);
  await expect(fetch(`${base}/healthz`)).rejects.toThrow();
});
