import type { SystemCatalog } from '@troupe/kit/internal';
import { describe, type ChoreographyReport } from './check';

const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * The line a passing check prints: `choreography ok: 7 services, 9 event types, 3 topics
 * (1 finding allowed)`. Event types are those the services publish or handle; topics, those
 * topics.json declares.
 */
export function passingLine(catalog: SystemCatalog, report: ChoreographyReport): string {
  const types = new Set(
    catalog.services.flatMap((s) => [
      ...s.publishes.map((p) => p.eventType),
      ...s.consumes.map((c) => c.eventType),
    ]),
  );
  const allowed =
    report.allowed.length === 0 ? '' : ` (${count(report.allowed.length, 'finding')} allowed)`;
  return `choreography ok: ${count(catalog.services.length, 'service')}, ${count(types.size, 'event type')}, ${count(catalog.topics.length, 'topic')}${allowed}`;
}

/** One line per allowed finding: the finding, then the exception's reason. */
export function allowedLines(report: ChoreographyReport): string[] {
  return report.allowed.map(
    ({ finding, exception }) =>
      `allowed: ${finding.message} — by ${describe(exception)}: ${exception.reason}`,
  );
}
