import type { SystemCatalog } from '@troupe/kit/internal';

/** One event type causing another: `service` handles `from` and, from that handler, publishes `to`. */
export interface Causation {
  from: string;
  to: string;
  service: string;
}

/** A loop of event types with no way out: handling any of them only ever leads back into it. */
export interface UnterminatedCycle {
  /** The event types of the loop, sorted. */
  eventTypes: string[];
  /** The services whose handlers close it, sorted. */
  services: string[];
}

/**
 * What causes what, as far as the catalog can tell: a service that handles A and publishes B
 * from its handlers (`publishes` of its definition) may publish B on handling A. It is an
 * over-approximation (the catalog knows which types a service's handlers publish, not which
 * handler publishes which). What a service publishes through a Publisher or an outbox is not
 * caused by an event it handles (a timer, an HTTP request), so it is no edge.
 */
export function causations(catalog: SystemCatalog): Causation[] {
  const edges: Causation[] = [];
  for (const service of catalog.services)
    for (const consumed of service.consumes)
      for (const published of service.publishes)
        if (published.path === 'handler')
          edges.push({ from: consumed.eventType, to: published.eventType, service: service.name });
  return edges;
}

/**
 * The strongly connected sets of event types (Tarjan) that are loops — more than one type, or
 * one type that causes itself — and from which no type outside the set is reachable. A loop
 * with an exit is a flow that can end (a retry loop giving up, a saga reaching its end state);
 * one without an exit, once entered, never stops. Sorted by their first type.
 */
export function unterminatedCycles(edges: readonly Causation[]): UnterminatedCycle[] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!next.has(to)) next.set(to, new Set());
    next.set(from, (next.get(from) ?? new Set()).add(to));
  }
  const cycles: UnterminatedCycle[] = [];
  for (const members of stronglyConnected(next)) {
    const set = new Set(members);
    const loops = members.length > 1 || next.get(members[0]!)!.has(members[0]!);
    const exits = members.some((type) => [...next.get(type)!].some((to) => !set.has(to)));
    if (!loops || exits) continue;
    const services = edges
      .filter((edge) => set.has(edge.from) && set.has(edge.to))
      .map((edge) => edge.service);
    cycles.push({ eventTypes: [...members].sort(), services: [...new Set(services)].sort() });
  }
  return cycles.sort((a, b) => a.eventTypes[0]!.localeCompare(b.eventTypes[0]!));
}

function stronglyConnected(next: ReadonlyMap<string, ReadonlySet<string>>): string[][] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    lowLink.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of [...next.get(node)!].sort()) {
      if (!index.has(to)) {
        visit(to);
        lowLink.set(node, Math.min(lowLink.get(node)!, lowLink.get(to)!));
      } else if (onStack.has(to)) {
        lowLink.set(node, Math.min(lowLink.get(node)!, index.get(to)!));
      }
    }
    if (lowLink.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      components.push(component);
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) visit(node);
  return components;
}
