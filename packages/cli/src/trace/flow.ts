import type { RawHeaders } from '@troupe/kit';
import type { Hop } from './hop';

/** One record of the traced flow, from its CloudEvents headers and where it was read. */
export interface TraceEvent {
  id: string;
  type?: string;
  source?: string;
  /**
   * Epoch milliseconds: ce_time, else the record's timestamp. A copy on a retry or dead-letter
   * topic (or a redriven one) keeps the original's ce_time: its time is the record's, when the hop was made.
   */
  time: number;
  correlationId?: string;
  causationId?: string;
  topic: string;
  partition: number;
  offset: string;
  key?: string;
  value: Buffer | null;
  headers?: RawHeaders;
  /** Set when the record is a copy of the event: retried, dead-lettered or redriven. */
  hop?: Hop;
}

/** An event in the order the timeline prints it, with its depth in the causation tree. */
export interface FlowEntry {
  event: TraceEvent;
  depth: number;
  /** True when the event names a cause that is not among the traced events. */
  causeMissing: boolean;
}

function byTime(a: TraceEvent, b: TraceEvent): number {
  return (
    a.time - b.time ||
    a.topic.localeCompare(b.topic) ||
    a.partition - b.partition ||
    Number(BigInt(a.offset) - BigInt(b.offset))
  );
}

/**
 * Orders the events as a causation tree: each event under the event its ce_causationid names,
 * siblings and roots by time; an event whose cause is not among them (or would close a loop,
 * as clock-skewed or hand-made ids can) starts its own root. Copies of one event (the same
 * ce_id on a retry or dead-letter topic, or redriven) hang under its first delivery, one level
 * deeper, in the order the hops were made; the effects of any delivery hang under the first too.
 */
export function buildFlow(events: TraceEvent[]): FlowEntry[] {
  const sorted = [...events].sort(byTime);
  const first = new Map<string, TraceEvent>();
  for (const event of sorted) if (!first.has(event.id)) first.set(event.id, event);
  const parentOf = new Map<TraceEvent, TraceEvent>();
  const children = new Map<TraceEvent, TraceEvent[]>();
  const roots: TraceEvent[] = [];
  const missing = new Set<TraceEvent>();

  const isAncestorOrSelf = (candidate: TraceEvent, of: TraceEvent): boolean => {
    for (let at: TraceEvent | undefined = of; at; at = parentOf.get(at))
      if (at === candidate) return true;
    return false;
  };
  for (const event of sorted) {
    const original = first.get(event.id) as TraceEvent;
    if (original !== event) {
      // A copy: under the first delivery (never a loop: that one is no copy's descendant).
      parentOf.set(event, original);
      children.set(original, [...(children.get(original) ?? []), event]);
      continue;
    }
    const cause = event.causationId === undefined ? undefined : first.get(event.causationId);
    if (cause && !isAncestorOrSelf(event, cause)) {
      parentOf.set(event, cause);
      children.set(cause, [...(children.get(cause) ?? []), event]);
    } else {
      if (event.causationId !== undefined && !cause) missing.add(event);
      roots.push(event);
    }
  }

  const flow: FlowEntry[] = [];
  const visit = (event: TraceEvent, depth: number) => {
    flow.push({ event, depth, causeMissing: missing.has(event) });
    for (const child of children.get(event) ?? []) visit(child, depth + 1);
  };
  for (const root of roots) visit(root, 0);
  return flow;
}
