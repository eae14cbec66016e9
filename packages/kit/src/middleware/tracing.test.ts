/**
 * Spans of a service's deliveries and publishes, through createService on the in-memory driver
 * with the OpenTelemetry SDK's in-memory exporter: without an SDK nothing is recorded and the trace
 * context passes on as it came; with one, consumer spans are children of the producer spans of the
 * records they handle, across ctx.publish, retry and dead-letter hops.
 */
import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { loadConfig } from '../config/service-config';
import { PermanentError } from '../errors';
import { headerString } from '../events/headers';
import { JsonTestCodec, MemoryCluster, MemoryKafkaDriver } from '../kafka/memory';
import { TraceHeaders } from '../observability/send-span';
import { parseTraceparent } from '../observability/trace-context';
import { tracingEnabled } from '../observability/tracing-enabled';
import { Publisher } from '../publish/publisher';
import { defineService } from '../runtime/define-service';
import { createService, type TroupeService } from '../runtime/service';

interface Events {
  'test.Asked': { id: string; fail: 'never' | 'once' | 'always' };
  'test.Answered': { id: string };
}

const codec = new JsonTestCodec();
const logger = pino({ level: 'silent' });
const incoming = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const running: TroupeService[] = [];
const exporter = new InMemorySpanExporter();

afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop({ deadlineMs: 1_000 })));
  exporter.reset();
});

async function setup() {
  const kafka = new MemoryKafkaDriver(new MemoryCluster());
  kafka.cluster.createTopic('asks', 1);
  kafka.cluster.createTopic('answers', 1);
  const failed = new Set<string>();
  const service = createService(
    defineService<Events>()({
      name: 'answerer',
      topics: ['asks'],
      startFrom: 'earliest',
      publishes: { 'test.Answered': 'answers' },
      consumes: {
        'test.Asked': async (asked, ctx) => {
          if (asked.fail === 'always') throw new PermanentError(`cannot answer ${asked.id}`);
          if (asked.fail === 'once' && !failed.has(asked.id)) {
            failed.add(asked.id);
            throw new Error(`not yet: ${asked.id}`);
          }
          await ctx.publish('test.Answered', { id: asked.id }, { key: asked.id });
        },
      },
    }),
    {
      codec,
      kafka,
      logger,
      config: loadConfig({ TROUPE_KAFKA_BROKERS: 'memory:9092' }),
      retry: { attempts: 1, backoffBaseMs: 1, backoffMaxMs: 1, topicDelaysMs: [20] },
      consumer: { maxWaitTimeMs: 20 },
      redeliveryDelayMs: 30,
      defaultMetrics: false,
    },
  );
  running.push(service);
  await service.start();
  const publisher = new Publisher<Events>({ kafka, codec, source: 'asker' });
  return { kafka, publisher };
}

async function until<T>(what: () => T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = what();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const traceparentOf = (headers: Parameters<typeof headerString>[0]) =>
  headerString(headers, 'traceparent');

describe('without an SDK', () => {
  test('no spans; what a handler publishes continues the incoming traceparent, as it came', async () => {
    const { kafka, publisher } = await setup();
    expect(tracingEnabled()).toBe(false);
    await publisher.publish({
      type: 'test.Asked',
      topic: 'asks',
      key: 'a1',
      payload: { id: 'a1', fail: 'never' },
      traceparent: incoming,
    });
    const [answer] = await until(() => {
      const records = kafka.cluster.records('answers');
      return records.length > 0 ? records : undefined;
    });
    expect(traceparentOf(kafka.cluster.records('asks')[0]?.headers)).toBe(incoming);
    expect(traceparentOf(answer?.headers)).toBe(incoming);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  test('a record moved to a retry topic keeps its headers: no span, no extra header', async () => {
    const { kafka, publisher } = await setup();
    await publisher.publish({
      type: 'test.Asked',
      topic: 'asks',
      key: 'a2',
      payload: { id: 'a2', fail: 'once' },
      traceparent: incoming,
    });
    await until(() => (kafka.cluster.records('answers').length > 0 ? true : undefined));
    const [retried] = kafka.cluster.records('asks.retry.1');
    expect(traceparentOf(retried?.headers)).toBe(incoming);
    expect(retried?.headers[TraceHeaders.originalTraceparent]).toBeUndefined();
  });
});

describe('with an SDK', () => {
  const provider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  beforeAll(() => {
    trace.setGlobalTracerProvider(provider);
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  const spans = () => exporter.getFinishedSpans();
  const named = (name: string) => spans().filter((s) => s.name === name);
  const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

  test('send → process → send: each consumer span the child of the producer span of its record', async () => {
    const { kafka, publisher } = await setup();
    const envelope = await publisher.publish({
      type: 'test.Asked',
      topic: 'asks',
      key: 'a3',
      payload: { id: 'a3', fail: 'never' },
    });
    await until(() => (named('send answers').length > 0 ? true : undefined));
    const [ask] = named('send asks');
    const [process] = named('process asks');
    const [answer] = named('send answers');
    expect(ask).toBeDefined();
    // No span was active: the publish starts the trace, and the record carries the send span.
    expect(ask!.parentSpanContext).toBeUndefined();
    expect(ask!.kind).toBe(SpanKind.PRODUCER);
    expect(ask!.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'asks',
      'messaging.message.id': envelope.id,
      'messaging.message.conversation_id': envelope.correlationId,
      'messaging.kafka.message.key': 'a3',
      'cloudevents.event_type': 'test.Asked',
      'cloudevents.event_source': 'asker',
    });
    const askRecord = kafka.cluster.records('asks')[0];
    expect(parseTraceparent(traceparentOf(askRecord?.headers))?.spanId).toBe(
      ask!.spanContext().spanId,
    );
    expect(envelope.traceparent).toBe(traceparentOf(askRecord?.headers));

    expect(process!.kind).toBe(SpanKind.CONSUMER);
    expect(parentOf(process!)).toBe(ask!.spanContext().spanId);
    expect(process!.spanContext().traceId).toBe(ask!.spanContext().traceId);
    expect(process!.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': 'asks',
      'messaging.destination.partition.id': '0',
      'messaging.kafka.offset': 0,
      'messaging.consumer.group.name': 'answerer',
      'messaging.message.id': envelope.id,
      'messaging.message.conversation_id': envelope.correlationId,
      'messaging.kafka.message.key': 'a3',
    });
    expect(process!.links).toEqual([]);

    expect(parentOf(answer!)).toBe(process!.spanContext().spanId);
    expect(answer!.attributes['messaging.message.conversation_id']).toBe(envelope.correlationId);
    const answerRecord = kafka.cluster.records('answers')[0];
    expect(parseTraceparent(traceparentOf(answerRecord?.headers))?.spanId).toBe(
      answer!.spanContext().spanId,
    );
  });

  test('a publish with a given traceparent, or inside an active span, is its child', async () => {
    const { publisher } = await setup();
    await publisher.publish({
      type: 'test.Asked',
      topic: 'asks',
      key: 'given',
      payload: { id: 'given', fail: 'always' },
      traceparent: incoming,
    });
    const outer = trace.getTracer('test').startSpan('outer');
    await context.with(trace.setSpan(ROOT_CONTEXT, outer), () =>
      publisher.publishMany([
        { type: 'test.Asked', topic: 'asks', key: 'm1', payload: { id: 'm1', fail: 'always' } },
        { type: 'test.Asked', topic: 'asks', key: 'm2', payload: { id: 'm2', fail: 'always' } },
      ]),
    );
    outer.end();
    const byKey = (key: string) =>
      named('send asks').find((s) => s.attributes['messaging.kafka.message.key'] === key);
    expect(byKey('given')?.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(parentOf(byKey('given')!)).toBe('00f067aa0ba902b7');
    expect(parentOf(byKey('m1')!)).toBe(outer.spanContext().spanId);
    expect(parentOf(byKey('m2')!)).toBe(outer.spanContext().spanId);
  });

  test('retry hop: the retry send is a child of the failed process span, linked to the record; the retried process span links to the first delivery', async () => {
    const { kafka, publisher } = await setup();
    await publisher.publish({
      type: 'test.Asked',
      topic: 'asks',
      key: 'a4',
      payload: { id: 'a4', fail: 'once' },
    });
    await until(() => (named('send answers').length > 0 ? true : undefined));
    const [ask] = named('send asks');
    const [failed] = named('process asks');
    const [retrySend] = named('send asks.retry.1');
    const [retried] = named('process asks.retry.1');
    const [answer] = named('send answers');
    const askContext = ask!.spanContext();

    expect(failed!.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(retrySend!.kind).toBe(SpanKind.PRODUCER);
    expect(parentOf(retrySend!)).toBe(failed!.spanContext().spanId);
    expect(retrySend!.links.map((l) => l.context.spanId)).toEqual([askContext.spanId]);
    const [retryRecord] = kafka.cluster.records('asks.retry.1');
    expect(parseTraceparent(traceparentOf(retryRecord?.headers))?.spanId).toBe(
      retrySend!.spanContext().spanId,
    );
    expect(
      parseTraceparent(headerString(retryRecord?.headers, TraceHeaders.originalTraceparent))
        ?.spanId,
    ).toBe(askContext.spanId);

    expect(parentOf(retried!)).toBe(retrySend!.spanContext().spanId);
    expect(retried!.links.map((l) => l.context.spanId)).toEqual([askContext.spanId]);
    expect(parentOf(answer!)).toBe(retried!.spanContext().spanId);
    // One flow, one trace.
    expect(new Set(spans().map((s) => s.spanContext().traceId))).toEqual(
      new Set([askContext.traceId]),
    );
  });

  test('dead-letter hop: the DLQ send span is the failed process span’s child and names the error', async () => {
    const { kafka, publisher } = await setup();
    await publisher.publish({
      type: 'test.Asked',
      topic: 'asks',
      key: 'a5',
      payload: { id: 'a5', fail: 'always' },
    });
    await until(() => (named('send asks.dlq').length > 0 ? true : undefined));
    const [process] = named('process asks');
    const [dlqSend] = named('send asks.dlq');
    expect(process!.attributes['error.type']).toBe('PERMANENT');
    expect(parentOf(dlqSend!)).toBe(process!.spanContext().spanId);
    const [dead] = kafka.cluster.records('asks.dlq');
    expect(parseTraceparent(traceparentOf(dead?.headers))?.spanId).toBe(
      dlqSend!.spanContext().spanId,
    );
  });
});
