import { Link, Span, SpanKind, SpanStatusCode, Tracer, context, trace } from '@opentelemetry/api';
import { toError } from '../errors';
import { headerString } from '../events/headers';
import { TraceHeaders } from '../observability/send-span';
import {
  contextFromTraceparent,
  formatTraceparent,
  newTraceparent,
  parseTraceparent,
} from '../observability/trace-context';
import { tracingEnabled, troupeTracer } from '../observability/tracing-enabled';
import { defineMiddleware } from './compose';
import type { EventContext, Handler, InboundEvent, Middleware } from './types';

/**
 * Continues the trace named by the event's `traceparent` header (W3C Trace Context): starts a
 * CONSUMER span `process <topic>` as its child — the record's creation context is the producer's
 * send span, so the process span is the send span's child — and runs the handler in that context,
 * so events published while handling carry the span as their parent. Attributes follow the
 * OpenTelemetry messaging conventions for Kafka (semantic-conventions v1.44.0, "Process span").
 * A retried delivery (a record from a retry or dead-letter topic, redriven or not) also links to
 * its first delivery's context (the `troupe-original-traceparent` header the failure router sets).
 *
 * Without a registered OpenTelemetry SDK (`tracingEnabled()`, one check per event) no span is
 * started and nothing is allocated: the incoming trace context passes on unchanged, as ctx.publish
 * reads the event's traceparent (or starts a trace) when it publishes. A `tracer` given here is
 * used whether or not a global SDK is registered.
 */
export function tracingMiddleware(
  options: { tracer?: Tracer; consumerGroup?: string } = {},
): Middleware {
  return defineMiddleware('tracing', (next) => (event, ctx) => {
    if (!options.tracer && !tracingEnabled()) return next(event, ctx);
    return traced(options.tracer ?? troupeTracer(), options.consumerGroup, next, event, ctx);
  });
}

async function traced(
  tracer: Tracer,
  consumerGroup: string | undefined,
  next: Handler,
  event: InboundEvent,
  ctx: EventContext,
): Promise<void> {
  const meta = event.metadata;
  const parent = contextFromTraceparent(meta.traceparent);
  const span = tracer.startSpan(
    `process ${meta.topic}`,
    { kind: SpanKind.CONSUMER, links: firstDeliveryLink(event) },
    parent,
  );
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.operation.name': 'process',
      'messaging.destination.name': meta.topic,
      'messaging.destination.partition.id': String(meta.partition),
      'messaging.kafka.offset': Number(meta.offset),
      'messaging.message.id': meta.id,
      'messaging.message.conversation_id': meta.correlationId,
      'messaging.consumer.group.name': consumerGroup ?? ctx.service,
      'cloudevents.event_type': meta.type,
      'cloudevents.event_source': meta.source,
      ...(meta.key === undefined ? {} : { 'messaging.kafka.message.key': meta.key }),
    });
  }
  // A non-recording span (sampled out) carries the incoming trace unchanged: pass the header on as it came.
  ctx.traceparent = span.isRecording()
    ? formatTraceparent(span.spanContext())
    : (meta.traceparent ?? newTraceparent());
  try {
    if (span.isRecording())
      await context.with(trace.setSpan(parent, span), next, undefined, event, ctx);
    else await next(event, ctx);
    if (ctx.failure) setError(span, ctx.failure);
  } catch (thrown) {
    const error = toError(thrown);
    span.recordException(error);
    setError(span, error);
    throw thrown;
  } finally {
    span.end();
  }
}

/** A link to the first delivery's creation context, for a record that moved through retry or dead-letter topics. */
function firstDeliveryLink(event: InboundEvent): Link[] | undefined {
  const original = parseTraceparent(
    headerString(event.metadata.headers, TraceHeaders.originalTraceparent),
  );
  return original ? [{ context: original }] : undefined;
}

function setError(span: Span, error: Error): void {
  const code = (error as { code?: unknown }).code;
  span.setAttribute('error.type', typeof code === 'string' ? code : error.name);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}
