import { ProxyTracerProvider, Tracer, TracerProvider, trace } from '@opentelemetry/api';

/** The API's no-op provider: what the global proxy delegates to until an SDK registers one. */
const NOOP_PROVIDER: TracerProvider = new ProxyTracerProvider().getDelegate();

/** The instrumentation scope of every span Troupe starts. */
export const TRACER_NAME = '@troupe/kit';

/**
 * Whether an OpenTelemetry SDK registered a global tracer provider: the one check every span Troupe
 * starts (process, send) sits behind. Without an SDK the API would hand out non-recording spans, so
 * Troupe starts none, allocates nothing per event and passes each record's `traceparent` on as it
 * came. A provider, a lookup and an `instanceof`: cheap enough to ask per event, so an SDK
 * registered after the service started is picked up.
 */
export function tracingEnabled(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

/**
 * The tracer of the SDK registered now. Asked for each time rather than kept: a tracer taken from
 * the global proxy stays bound to the first provider it saw.
 */
export function troupeTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}
