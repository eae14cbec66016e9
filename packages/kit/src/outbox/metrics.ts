import { Gauge, Registry, register as defaultRegistry } from 'prom-client';
import { toError } from '../errors';
import type { OutboxStats } from './pg-outbox';
import { withTimeout } from '../runtime/timers';

/** Anything that can report outbox backlog: an OutboxRelay, or a PgOutbox bound to a pool. */
export interface OutboxStatsSource {
  stats(): Promise<OutboxStats>;
}

export interface OutboxMetricsOptions {
  /** The `outbox` label, e.g. the table's schema-qualified name. */
  name: string;
  /** Default: prom-client's global registry. */
  registry?: Registry;
  /** A scrape waits this long for the stats query. Default 5000 ms. */
  timeoutMs?: number;
  /** The stats query failed or timed out (that scrape has no outbox samples). */
  onError?: (error: Error) => void;
}

/**
 * Gauges read at scrape time (one query per scrape, shared by the gauges), labelled by outbox name:
 * `troupe_outbox_pending`, `troupe_outbox_oldest_unsent_age_seconds` and, for the PostgreSQL
 * outbox, `troupe_outbox_failing` (unsent rows Kafka refused, each holding back its aggregate).
 * Alert on the age: it grows when relays are down or a row cannot be published; and on failing > 0
 * for longer than a broker blip: a row Kafka keeps refusing stays until someone acts.
 *
 * A stats query that fails or takes longer than `timeoutMs` leaves these gauges without samples for
 * that scrape instead of failing it: the rest of the registry (a service's whole /metrics) still
 * answers while the database is down. Alert on the series being absent, too.
 */
export function registerOutboxMetrics(
  source: OutboxStatsSource,
  options: OutboxMetricsOptions,
): { pending: Gauge; oldestUnsentAge: Gauge; failing: Gauge } {
  const registers = [options.registry ?? defaultRegistry];
  const timeoutMs = options.timeoutMs ?? 5_000;
  const labels = { outbox: options.name };
  let scrape: Promise<OutboxStats | undefined> | undefined;
  // The gauges collect in the same scrape: query once.
  const read = (): Promise<OutboxStats | undefined> => {
    scrape ??= withTimeout(source.stats(), timeoutMs, 'outbox stats')
      .catch((error: unknown) => {
        options.onError?.(toError(error));
        return undefined;
      })
      .finally(() => setImmediate(() => (scrape = undefined)));
    return scrape;
  };
  /** Sets the gauge from this scrape's stats, or clears it when there are none. */
  const collectInto = async (gauge: Gauge, value: (stats: OutboxStats) => number | undefined) => {
    const stats = await read();
    const sample = stats && value(stats);
    if (sample === undefined) gauge.reset();
    else gauge.set(labels, sample);
  };
  const pending: Gauge = new Gauge({
    name: 'troupe_outbox_pending',
    help: 'Outbox messages committed and not yet published',
    labelNames: ['outbox'],
    registers,
    collect: () => collectInto(pending, (stats) => stats.pending),
  });
  const oldestUnsentAge: Gauge = new Gauge({
    name: 'troupe_outbox_oldest_unsent_age_seconds',
    help: 'Age of the oldest unpublished outbox message (0 when none)',
    labelNames: ['outbox'],
    registers,
    collect: () => collectInto(oldestUnsentAge, (stats) => (stats.oldestUnsentAgeMs ?? 0) / 1000),
  });
  const failing: Gauge = new Gauge({
    name: 'troupe_outbox_failing',
    help: 'Unpublished outbox messages whose last publish failed; each holds back the later messages of its aggregate',
    labelNames: ['outbox'],
    registers,
    // The Redis outbox does not track failed entries: no sample rather than a false 0.
    collect: () => collectInto(failing, (stats) => stats.failing),
  });
  return { pending, oldestUnsentAge, failing };
}
