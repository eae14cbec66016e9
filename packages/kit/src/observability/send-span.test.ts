/**
 * sendTraced (records that already carry a trace context: outbox rows, retry and dead-letter
 * re-sends, redrives) and Publisher.sendEncoded, with the SDK's in-memory exporter: which context
 * is the send span's parent, what it links to, what the record carries, and nothing at all
 * without an SDK.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { headerString } from '../events/headers';
import { JsonTestCodec, MemoryCluster, MemoryKafkaDriver } from '../kafka/memory';
import type { TopicRecords } from '../kafka/records';
import { sendClaimedRows } from '../outbox/pg-send';
import { encodeHeaders } from '../outbox/message';
import { Publisher } from '../publish/publisher';
import { toMessage } from '../publish/to-message';
import { sendTraced } from './send-span';
import { parseTraceparent } from './trace-context';

const captured = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
const CAPTURED_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CAPTURED_SPAN = '00f067aa0ba902b7';

function batch(): TopicRecords[] {
  return [
    {
      topic: 'orders',
      records: [
        {
          key: 'o1',
          value: '{}',
          partition: 2,
          headers: {
            traceparent: Buffer.from(captured),
            ce_id: 'e1',
            ce_correlationid: 'c1',
            ce_type: 'shop.OrderPlaced',
            ce_source: 'shop',
          },
        },
      ],
    },
  ];
}

const exporter = new InMemorySpanExporter();
afterEach(() => exporter.reset());

describe('without an SDK', () => {
  test('the batch goes to send as it is: same objects, no span', async () => {
    const given = batch();
    let sent: readonly TopicRecords[] | undefined;
    await sendTraced(given, async (b) => void (sent = b), { parent: 'record', link: true });
    expect(sent).toBe(given);
    expect(exporter.getFinishedSpans()).toEqual([]);
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

  test("'record': the span is the captured context's child, links to it, and replaces the record's traceparent", async () => {
    const given = batch();
    let sent: readonly TopicRecords[] = [];
    const outer = trace.getTracer('test').startSpan('outer');
    await context.with(trace.setSpan(ROOT_CONTEXT, outer), () =>
      sendTraced(given, async (b) => void (sent = b), { parent: 'record', link: true }),
    );
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('send orders');
    expect(span?.kind).toBe(SpanKind.PRODUCER);
    expect(span?.spanContext().traceId).toBe(CAPTURED_TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(CAPTURED_SPAN);
    expect(span?.links.map((l) => l.context.spanId)).toEqual([CAPTURED_SPAN]);
    expect(span?.attributes).toEqual({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'send',
      'messaging.operation.name': 'send',
      'messaging.destination.name': 'orders',
      'messaging.destination.partition.id': '2',
      'messaging.kafka.message.key': 'o1',
      'messaging.message.id': 'e1',
      'messaging.message.conversation_id': 'c1',
      'cloudevents.event_type': 'shop.OrderPlaced',
      'cloudevents.event_source': 'shop',
    });
    const header = headerString(sent[0]?.records[0]?.headers, 'traceparent');
    expect(parseTraceparent(header)?.spanId).toBe(span?.spanContext().spanId);
    // The caller's record is left as it was (an outbox retries with it).
    expect(headerString(given[0]?.records[0]?.headers, 'traceparent')).toBe(captured);
  });

  test("'active-else-record': the active span is the parent; the record's context stays a link", async () => {
    const outer = trace.getTracer('test').startSpan('process orders');
    await context.with(trace.setSpan(ROOT_CONTEXT, outer), () =>
      sendTraced(batch(), async () => undefined, { parent: 'active-else-record', link: true }),
    );
    await sendTraced(batch(), async () => undefined, { parent: 'active-else-record', link: false });
    const [inSpan, outside] = exporter.getFinishedSpans();
    expect(inSpan?.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(inSpan?.links.map((l) => l.context.spanId)).toEqual([CAPTURED_SPAN]);
    expect(outside?.parentSpanContext?.spanId).toBe(CAPTURED_SPAN);
    expect(outside?.links).toEqual([]);
  });

  test('a failed send ends the spans with status ERROR and error.type, and rethrows', async () => {
    const refused = Object.assign(new Error('no such topic'), { code: 'TOPIC_UNKNOWN' });
    await expect(
      sendTraced(
        batch(),
        async () => {
          throw refused;
        },
        { parent: 'record', link: true },
      ),
    ).rejects.toBe(refused);
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no such topic' });
    expect(span?.attributes['error.type']).toBe('TOPIC_UNKNOWN');
  });

  test('outbox rows: each row’s span is a child of the context captured at add, linked to it', async () => {
    const kafka = new MemoryKafkaDriver(new MemoryCluster());
    kafka.cluster.createTopic('orders', 1);
    const producer = kafka.producer();
    const row = (id: string, traceparent: string) => ({
      id,
      aggregate_key: 'o1',
      topic: 'orders',
      message_key: Buffer.from('o1'),
      value: Buffer.from('{}'),
      headers: encodeHeaders({ traceparent, ce_id: `event-${id}` }),
      attempts: 0,
    });
    const other = '00-11111111111111111111111111111111-2222222222222222-01';
    await sendClaimedRows(producer, [row('1', captured), row('2', other)], 5_000);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => [s.spanContext().traceId, s.parentSpanContext?.spanId])).toEqual([
      [CAPTURED_TRACE, CAPTURED_SPAN],
      ['11111111111111111111111111111111', '2222222222222222'],
    ]);
    expect(spans.map((s) => s.links[0]?.context.spanId)).toEqual([
      CAPTURED_SPAN,
      '2222222222222222',
    ]);
    expect(
      kafka.cluster
        .records('orders')
        .map((r) => parseTraceparent(headerString(r.headers, 'traceparent'))?.spanId),
    ).toEqual(spans.map((s) => s.spanContext().spanId));
  });

  test('Publisher.sendEncoded: events encoded earlier are sent as children of their envelope’s context', async () => {
    const kafka = new MemoryKafkaDriver(new MemoryCluster());
    kafka.cluster.createTopic('orders', 1);
    const codec = new JsonTestCodec();
    const publisher = new Publisher({ kafka, codec, source: 'shop' });
    const encoded = await toMessage(
      { type: 'shop.OrderPlaced', topic: 'orders', key: 'o1', payload: {}, traceparent: captured },
      codec,
      'shop',
    );
    await publisher.sendEncoded([encoded]);
    const [span] = exporter.getFinishedSpans();
    expect(span?.parentSpanContext?.spanId).toBe(CAPTURED_SPAN);
    expect(span?.links.map((l) => l.context.spanId)).toEqual([CAPTURED_SPAN]);
    expect(span?.attributes['messaging.message.id']).toBe(encoded.envelope.id);
    expect(encoded.headers.traceparent).toBe(captured);
    await publisher.disconnect();
  });
});
