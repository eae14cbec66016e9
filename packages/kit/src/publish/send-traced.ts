import { Context, ROOT_CONTEXT, Span, SpanContext, context, trace } from '@opentelemetry/api';
import { Headers } from '../events/headers';
import { endSendSpans, spanTraceparent, startSendSpan } from '../observability/send-span';
import { contextFromTraceparent, parseTraceparent } from '../observability/trace-context';
import type { EncodedEvent } from './to-message';

/**
 * The Publisher's sends with an OpenTelemetry SDK registered: one PRODUCER span `send <topic>` per
 * event (observability/send-span.ts), ended when the broker answered. The event goes out with the
 * span's context as its `traceparent`. Where the span's parent comes from:
 * - per event, the `traceparent` its caller gave (ctx.publish gives the processing span's), else
 *   the active context: a new trace when no span is active. The event and its envelope get the
 *   span's context, so the envelope `publish` returns names what was sent.
 * - `'captured'`: events encoded earlier (sendEncoded): the context they were encoded in, their
 *   envelope's `traceparent`, which the span also links to. The caller's events are not modified.
 */
export async function sendEncodedTraced(
  events: readonly EncodedEvent[],
  parents: readonly (string | undefined)[] | 'captured',
  send: (events: readonly EncodedEvent[]) => Promise<void>,
): Promise<void> {
  const active = context.active();
  const spans: Span[] = [];
  const sent = events.map((event, i) => {
    let parent: Context;
    let link: SpanContext | undefined;
    if (parents === 'captured') {
      link = parseTraceparent(event.envelope.traceparent);
      parent = link ? trace.setSpanContext(ROOT_CONTEXT, link) : ROOT_CONTEXT;
    } else parent = contextFromTraceparent(parents[i], active);
    const span = startSendSpan(event.topic, event, parent, link);
    spans.push(span);
    const traceparent = spanTraceparent(span);
    if (parents === 'captured')
      return { ...event, headers: { ...event.headers, [Headers.traceparent]: traceparent } };
    event.headers[Headers.traceparent] = traceparent;
    event.envelope.traceparent = traceparent;
    return event;
  });
  try {
    await send(sent);
  } catch (error) {
    endSendSpans(spans, error);
    throw error;
  }
  endSendSpans(spans);
}
