import { SpanKind, SpanStatusCode, Tracer, context, trace } from '@opentelemetry/api';
import { toError } from '../errors';
import { contextFromTraceparent, formatTraceparent } from '../observability/trace-context';
import { defineMiddleware } from './compose';
import type { Middleware } from './types';

/**
 * Continues the trace named by the event's `traceparent` header (W3C Trace Context): starts a
 * CONSUMER span `process <topic>` as its child and runs the handler in that context, so events
 * published while handling carry the span as their parent. Without a registered OpenTelemetry
 * SDK the API hands out non-recording spans that still carry the incoming trace ids, so
 * propagation works and the cost is a few small allocations.
 */
export function tracingMiddleware(
  options: { tracer?: Tracer; consumerGroup?: string } = {},
): Middleware {
  const tracer = options.tracer ?? trace.getTracer('@troupe/kit');
  return defineMiddleware('tracing', (next) => async (event, ctx) => {
    const meta = event.metadata;
    const parent = contextFromTraceparent(meta.traceparent);
    const span = tracer.startSpan(`process ${meta.topic}`, { kind: SpanKind.CONSUMER }, parent);
    if (span.isRecording()) {
      span.setAttributes({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': meta.topic,
        'messaging.destination.partition.id': String(meta.partition),
        'messaging.kafka.offset': Number(meta.offset),
        'messaging.message.id': meta.id,
        'messaging.consumer.group.name': options.consumerGroup ?? ctx.service,
        'cloudevents.event_type': meta.type,
        ...(meta.key === undefined ? {} : { 'messaging.kafka.message.key': meta.key }),
      });
    }
    // A non-recording span carries the incoming trace unchanged: pass the header on as it came.
    ctx.traceparent = span.isRecording() ? formatTraceparent(span.spanContext()) : meta.traceparent;
    try {
      // Without a recording span there is no SDK and so no context manager: skip the context work.
      if (span.isRecording())
        await context.with(trace.setSpan(parent, span), next, undefined, event, ctx);
      else await next(event, ctx);
      if (ctx.failure) span.setStatus({ code: SpanStatusCode.ERROR, message: ctx.failure.message });
    } catch (thrown) {
      const error = toError(thrown);
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      throw thrown;
    } finally {
      span.end();
    }
  });
}
