import {
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  Tracer,
  TracerProvider,
  context,
  trace,
} from '@opentelemetry/api';
import { toError } from '../errors';
import {
  contextFromTraceparent,
  formatTraceparent,
  newTraceparent,
} from '../observability/trace-context';
import { defineMiddleware } from './compose';
import type { EventContext, Handler, InboundEvent, Middleware } from './types';

/**
 * Continues the trace named by the event's `traceparent` header (W3C Trace Context): starts a
 * CONSUMER span `process <topic>` as its child and runs the handler in that context, so events
 * published while handling carry the span as their parent. Without a registered OpenTelemetry
 * SDK the API hands out non-recording spans that still carry the incoming trace ids, so
 * propagation works; the middleware then skips the span and passes the header on as it came.
 */
/** The API's no-op provider: what the global proxy delegates to until an SDK registers one. */
const NOOP_PROVIDER: TracerProvider = new ProxyTracerProvider().getDelegate();

function sdkRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

export function tracingMiddleware(
  options: { tracer?: Tracer; consumerGroup?: string } = {},
): Middleware {
  const tracer = options.tracer ?? trace.getTracer('@troupe/kit');
  return defineMiddleware('tracing', (next) => (event, ctx) => {
    if (!options.tracer && !sdkRegistered()) {
      // No SDK: spans would not be recorded. The incoming trace context passes on unchanged:
      // ctx.publish reads the event's traceparent (or starts a trace) when it publishes, so a
      // delivery that publishes nothing never decodes the header.
      return next(event, ctx);
    }
    return traced(tracer, options.consumerGroup, next, event, ctx);
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
  const span = tracer.startSpan(`process ${meta.topic}`, { kind: SpanKind.CONSUMER }, parent);
  if (span.isRecording()) {
    span.setAttributes({
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': meta.topic,
      'messaging.destination.partition.id': String(meta.partition),
      'messaging.kafka.offset': Number(meta.offset),
      'messaging.message.id': meta.id,
      'messaging.consumer.group.name': consumerGroup ?? ctx.service,
      'cloudevents.event_type': meta.type,
      ...(meta.key === undefined ? {} : { 'messaging.kafka.message.key': meta.key }),
    });
  }
  // A non-recording span carries the incoming trace unchanged: pass the header on as it came.
  ctx.traceparent = span.isRecording()
    ? formatTraceparent(span.spanContext())
    : (meta.traceparent ?? newTraceparent());
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
}
