import { ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import {
  contextFromTraceparent,
  formatTraceparent,
  newTraceparent,
  parseTraceparent,
} from './trace-context';

const header = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

test('parses and formats W3C traceparent', () => {
  const span = parseTraceparent(header);
  expect(span).toEqual({
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  expect(formatTraceparent(span!)).toBe(header);
});

test.each([
  undefined,
  '',
  'garbage',
  '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7', // no flags
  '00-00000000000000000000000000000000-00f067aa0ba902b7-01', // zero trace id
  '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01', // zero span id
  'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', // forbidden version
  '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01', // upper case
  '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra', // v00 has no extra fields
])('rejects %p', (value) => {
  expect(parseTraceparent(value)).toBeUndefined();
});

test('future versions are read by their first four fields', () => {
  expect(
    parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-whatever')?.spanId,
  ).toBe('00f067aa0ba902b7');
});

test('context carries the remote parent', () => {
  const ctx = contextFromTraceparent(header);
  expect(trace.getSpanContext(ctx)?.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  expect(contextFromTraceparent('nope')).toBe(ROOT_CONTEXT);
});

test('a new trace is a valid, sampled traceparent with ids of its own', () => {
  const first = newTraceparent();
  const second = newTraceparent();
  expect(parseTraceparent(first)).toMatchObject({ traceFlags: TraceFlags.SAMPLED });
  expect(formatTraceparent(parseTraceparent(first)!)).toBe(first);
  expect(second.slice(3, 35)).not.toBe(first.slice(3, 35));
});
