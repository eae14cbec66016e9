import { randomBytes } from 'node:crypto';
import {
  Context,
  ROOT_CONTEXT,
  SpanContext,
  TraceFlags,
  context,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';

// W3C Trace Context: version "00", 16-byte trace id, 8-byte parent id, 1-byte flags, lower-case hex.
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * Parses a `traceparent` header. Returns undefined for malformed values, version ff, or all-zero
 * ids (as the spec asks); future versions are read by their first four fields.
 */
export function parseTraceparent(header: string | undefined): SpanContext | undefined {
  if (!header) return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return {
    traceId: traceId!,
    spanId: spanId!,
    traceFlags: parseInt(flags!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
}

export function formatTraceparent(span: SpanContext): string {
  return `00-${span.traceId}-${span.spanId}-${(span.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** An OpenTelemetry context whose parent is the remote span named by the header (ROOT_CONTEXT if none). */
export function contextFromTraceparent(
  header: string | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  const parent = parseTraceparent(header);
  return parent ? trace.setSpanContext(base, parent) : base;
}

/** The active OpenTelemetry span as a `traceparent` (an SDK is registered and a span is current). */
export function activeTraceparent(): string | undefined {
  const span = trace.getSpanContext(context.active());
  return span && isSpanContextValid(span) ? formatTraceparent(span) : undefined;
}

// One randomBytes call per 256 traces: a call per event cost more than the rest of a publish.
const ID_BYTES = 24; // trace id 16 + span id 8
const IDS_PER_POOL = 256;
let pool = Buffer.alloc(0);
let poolOffset = 0;

/**
 * The start of a new trace, for an event that begins a flow outside any trace: every event carries
 * a traceparent, so a flow can be followed across services whether or not its first producer traces.
 * Sampled, so that parent-based samplers downstream record the flow; nothing was recorded for the
 * root itself, which trace backends show as a missing parent span.
 */
export function newTraceparent(): string {
  if (poolOffset + ID_BYTES > pool.length) {
    pool = randomBytes(ID_BYTES * IDS_PER_POOL);
    poolOffset = 0;
  }
  const ids = pool.toString('hex', poolOffset, (poolOffset += ID_BYTES));
  return `00-${ids.slice(0, 32)}-${ids.slice(32)}-01`;
}
