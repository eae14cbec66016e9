import path from 'node:path';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { Events } from '@troupe/contracts';
import { runDemo } from '@troupe-services/demo';

/**
 * OpenTelemetry end to end: with an SDK registered in this process (in-memory exporter,
 * AsyncLocalStorage context), the seven services run here against the real stack (TROUPE_* from
 * the jest globalSetup) and play a healthy release and one rollback flow — a canary whose
 * telemetry spikes. Each flow must be one trace; the rollback flow's spans cross the services in
 * causal order, each consumer span the child of the producer span of the record it handles. The demo's topics, groups, keys and schema are its
 * own and removed at the end.
 */
jest.setTimeout(240_000);

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

const spanId = (span: ReadableSpan) => span.spanContext().spanId;
const traceId = (span: ReadableSpan) => span.spanContext().traceId;
/** The service a span ran in: a send span's CloudEvents source, a process span's consumer group (`<service>.<namespace>`). */
const serviceOf = (span: ReadableSpan) =>
  String(
    span.kind === SpanKind.PRODUCER
      ? span.attributes['cloudevents.event_source']
      : span.attributes['messaging.consumer.group.name'],
  ).split('.')[0];
const label = (span: ReadableSpan) =>
  `${serviceOf(span)} ${span.name} ${String(span.attributes['cloudevents.event_type'])}`;

test('each release is one trace; a rollback crosses releases → verifier → canary → telemetry → watchdog → rollback → notifier', async () => {
  const lines: string[] = [];
  const result = await runDemo({
    env: { ...process.env, TROUPE_LOG_LEVEL: 'warn', TROUPE_CANARY_OBSERVATION: '8s' },
    root: path.resolve(__dirname, '..', '..', '..'),
    spikeRuns: 1,
    scenarios: {
      healthy: true,
      failingTests: false,
      killDuringSpike: false,
      crashAfterRouter: false,
      crashAfterPublish: false,
    },
    inProcess: ['releases', 'verifier', 'canary', 'telemetry', 'watchdog', 'rollback', 'notifier'],
    log: (line) => lines.push(line),
    out: (line) => lines.push(line),
  });
  expect({ ok: result.ok, report: lines.join('\n') }).toMatchObject({ ok: true });
  const outcome = result.outcomes.find((o) => o.reached === 'RolledBack');
  const correlationId = outcome!.correlationId;

  const spans = exporter.getFinishedSpans();
  // The healthy release is one trace too, Promoted included: the promotion loop publishes it on
  // its own schedule, in the trace context CanaryStarted was sent in.
  const promoted = result.outcomes.find((o) => o.reached === 'Promoted')!;
  const healthy = spans.filter(
    (s) => s.attributes['messaging.message.conversation_id'] === promoted.correlationId,
  );
  expect(new Set(healthy.map(traceId)).size).toBe(1);
  expect(
    healthy.filter(
      (s) =>
        s.kind === SpanKind.PRODUCER && s.attributes['cloudevents.event_type'] === Events.Promoted,
    ),
  ).toHaveLength(1);
  const flow = spans.filter(
    (s) => s.attributes['messaging.message.conversation_id'] === correlationId,
  );
  // Every span of the flow, on every service, is in one trace.
  expect(new Set(flow.map(traceId)).size).toBe(1);
  const trace1 = traceId(flow[0]!);
  const inTrace = spans.filter((s) => traceId(s) === trace1);
  // …which holds nothing of other flows: the stable version's samples stay outside it.
  expect(
    inTrace.filter((s) => s.attributes['messaging.message.conversation_id'] !== correlationId),
  ).toEqual([]);
  expect(
    spans.some(
      (s) =>
        s.attributes['cloudevents.event_type'] === Events.RequestSamples &&
        s.attributes['messaging.message.conversation_id'] !== correlationId,
    ),
  ).toBe(true);

  const byId = new Map(inTrace.map((s) => [spanId(s), s]));
  const parentOf = (s: ReadableSpan) => byId.get(s.parentSpanContext?.spanId ?? '');
  // Each consumer span is the child of the producer span of the record it handles.
  const orphans = inTrace
    .filter((consumer) => consumer.kind === SpanKind.CONSUMER)
    .filter((consumer) => {
      const producer = parentOf(consumer);
      return (
        producer?.kind !== SpanKind.PRODUCER ||
        producer.attributes['messaging.message.id'] !==
          consumer.attributes['messaging.message.id'] ||
        producer.attributes['messaging.destination.name'] !==
          consumer.attributes['messaging.destination.name']
      );
    })
    .map(label);
  expect(orphans).toEqual([]);

  // The causal chain, from the end back to the start: each step the parent of the next.
  const find = (kind: SpanKind, service: string, type: string, child?: ReadableSpan) => {
    const candidates = inTrace.filter(
      (s) =>
        s.kind === kind &&
        serviceOf(s) === service &&
        s.attributes['cloudevents.event_type'] === type,
    );
    const found = child
      ? candidates.find((s) => spanId(s) === child.parentSpanContext?.spanId)
      : candidates[0];
    if (!found)
      throw new Error(
        `no ${SpanKind[kind]} span of ${service} for ${type}${child ? ` parenting ${label(child)}` : ''}; the trace has: ${inTrace.map(label).join(', ')}`,
      );
    return found;
  };
  const P = SpanKind.PRODUCER;
  const C = SpanKind.CONSUMER;
  const notified = find(C, 'notifier', Events.RolledBack);
  const rolledBack = find(P, 'rollback', Events.RolledBack, notified);
  const rollback = find(C, 'rollback', Events.CanaryDegraded, rolledBack);
  const degraded = find(P, 'watchdog', Events.CanaryDegraded, rollback);
  const watched = find(C, 'watchdog', Events.RequestSamples, degraded);
  const sampled = find(P, 'telemetry', Events.RequestSamples, watched);
  const canary = find(C, 'canary', Events.TestsPassed, sampled);
  const passed = find(P, 'verifier', Events.TestsPassed, canary);
  const verified = find(C, 'verifier', Events.ReleaseRequested, passed);
  const requested = find(P, 'releases', Events.ReleaseRequested, verified);
  const chain = [
    requested,
    verified,
    passed,
    canary,
    sampled,
    watched,
    degraded,
    rollback,
    rolledBack,
    notified,
  ];
  expect([...new Set(chain.map(serviceOf))]).toEqual([
    'releases',
    'verifier',
    'canary',
    'telemetry',
    'watchdog',
    'rollback',
    'notifier',
  ]);
  // In time order too: no step starts before the one that caused it.
  const starts = chain.map((s) => s.startTime[0] * 1e9 + s.startTime[1]);
  expect(starts).toEqual([...starts].sort((a, b) => a - b));
  // The release entered through the outbox: its send span continues the context captured when
  // the request's transaction added it, and links to it.
  expect(requested.links.map((l) => l.context.spanId)).toEqual([
    requested.parentSpanContext?.spanId,
  ]);
});
