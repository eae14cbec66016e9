import { Gauge, Registry, register as defaultRegistry } from 'prom-client';
import type { OutboxStats } from './pg-outbox';

/** Anything that can report outbox backlog: an OutboxRelay, or a PgOutbox bound to a pool. */
export interface OutboxStatsSource {
  stats(): Promise<OutboxStats>;
}

/**
 * Gauges read at scrape time (one query per scrape, shared by both gauges):
 * `troupe_outbox_pending` and `troupe_outbox_oldest_unsent_age_seconds`, labelled by outbox name.
 * Alert on the age: it grows when relays are down or a row cannot be published.
 */
export function registerOutboxMetrics(
  source: OutboxStatsSource,
  options: { name: string; registry?: Registry },
): { pending: Gauge; oldestUnsentAge: Gauge } {
  const registers = [options.registry ?? defaultRegistry];
  let scrape: Promise<OutboxStats> | undefined;
  // Both gauges collect in the same scrape: query once.
  const read = (): Promise<OutboxStats> => {
    scrape ??= source.stats().finally(() => setImmediate(() => (scrape = undefined)));
    return scrape;
  };
  const pending = new Gauge({
    name: 'troupe_outbox_pending',
    help: 'Outbox messages committed and not yet published',
    labelNames: ['outbox'],
    registers,
    async collect() {
      this.set({ outbox: options.name }, (await read()).pending);
    },
  });
  const oldestUnsentAge = new Gauge({
    name: 'troupe_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest unpublished outbox message (0 when none)',
    labelNames: ['outbox'],
    registers,
    async collect() {
      this.set({ outbox: options.name }, ((await read()).oldestUnsentAgeMs ?? 0) / 1000);
    },
  });
  return { pending, oldestUnsentAge };
}
