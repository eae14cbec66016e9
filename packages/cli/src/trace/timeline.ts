import { formatTable } from '../shared/table';
import type { FlowEntry } from './flow';
import { hopLine, hopMark } from './hop';

/** `+0ms`, `+250ms`, `+1.250s`, `+2m03.5s`, `+1h02m03s`: time since the flow's first event. */
export function relativeTime(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  if (abs < 1_000) return `${sign}${abs}ms`;
  if (abs < 60_000) return `${sign}${(abs / 1_000).toFixed(3)}s`;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  if (abs < 3_600_000) {
    const minutes = Math.floor(abs / 60_000);
    const seconds = (abs % 60_000) / 1_000;
    return `${sign}${minutes}m${seconds < 10 ? '0' : ''}${seconds.toFixed(1)}s`;
  }
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  return `${sign}${hours}h${pad(minutes)}m${pad(Math.floor((abs % 60_000) / 1_000))}s`;
}

/** The event type indented under its cause: `└─ ` per level, three columns per level. */
export function indented(text: string, depth: number): string {
  return depth === 0 ? text : `${'   '.repeat(depth - 1)}└─ ${text}`;
}

export const TIMELINE_COLUMNS = ['TIME', 'TOPIC', 'EVENT', 'ID', 'CAUSED BY', 'SOURCE'];

/**
 * The flow as a table: time relative to the earliest event, topic, type indented by its
 * depth in the causation tree (a copy marked `(retry n)`, `(dead letter)` or `(redriven)`, with
 * a line under it saying who moved it and why), id, cause, source. `payloadLine` adds a line
 * under an event.
 */
export function timelineLines(
  flow: FlowEntry[],
  payloadLine?: (entry: FlowEntry) => string | undefined,
): string[] {
  if (flow.length === 0) return [];
  const start = Math.min(...flow.map((entry) => entry.event.time));
  const rows = flow.map(({ event, depth, causeMissing }) => [
    relativeTime(event.time - start),
    event.topic,
    indented(`${event.type ?? '(no ce_type)'}${event.hop ? ` ${hopMark(event.hop)}` : ''}`, depth),
    event.id,
    event.causationId === undefined
      ? '-'
      : causeMissing
        ? `${event.causationId} (not found)`
        : event.causationId,
    event.source ?? '-',
  ]);
  const [header, ...lines] = formatTable(TIMELINE_COLUMNS, rows);
  const out = [header as string];
  lines.forEach((line, i) => {
    out.push(line);
    const entry = flow[i] as FlowEntry;
    const under = ' '.repeat(2 + 3 * entry.depth);
    if (entry.event.hop) out.push(`${under}${hopLine(entry.event.hop)}`);
    const extra = payloadLine?.(entry);
    if (extra !== undefined) out.push(`${under}${extra}`);
  });
  return out;
}

/** One JSON object per event, in the timeline's order. */
export function timelineJson(
  flow: FlowEntry[],
  payloadOf?: (entry: FlowEntry) => unknown,
): string[] {
  if (flow.length === 0) return [];
  const start = Math.min(...flow.map((entry) => entry.event.time));
  return flow.map((entry) => {
    const { event, depth } = entry;
    const payload = payloadOf?.(entry);
    return JSON.stringify({
      elapsedMs: event.time - start,
      time: new Date(event.time).toISOString(),
      depth,
      topic: event.topic,
      partition: event.partition,
      offset: event.offset,
      key: event.key,
      id: event.id,
      type: event.type,
      source: event.source,
      correlationId: event.correlationId,
      causationId: event.causationId,
      ...(event.hop === undefined ? {} : { hop: event.hop }),
      ...(payload === undefined ? {} : { payload }),
    });
  });
}
