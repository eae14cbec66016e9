import { Gauge, Registry } from 'prom-client';
import { registerOutboxMetrics } from './metrics';
import type { OutboxStats } from './pg-outbox';

const source = (stats: () => Promise<OutboxStats>) => ({ stats });

describe('registerOutboxMetrics', () => {
  test('one stats query per scrape fills every gauge', async () => {
    const registry = new Registry();
    let queries = 0;
    registerOutboxMetrics(
      source(async () => {
        queries += 1;
        return { pending: 7, oldestUnsentAgeMs: 2_500, failing: 1 };
      }),
      { name: 'app.troupe_outbox', registry },
    );
    const text = await registry.metrics();
    expect(text).toContain('troupe_outbox_pending{outbox="app.troupe_outbox"} 7');
    expect(text).toContain(
      'troupe_outbox_oldest_unsent_age_seconds{outbox="app.troupe_outbox"} 2.5',
    );
    expect(text).toContain('troupe_outbox_failing{outbox="app.troupe_outbox"} 1');
    expect(queries).toBe(1);
  });

  test('a failing stats query leaves the outbox gauges empty and the rest of the scrape intact', async () => {
    const registry = new Registry();
    new Gauge({ name: 'other_gauge', help: 'another', registers: [registry] }).set(3);
    const errors: Error[] = [];
    let down = false;
    registerOutboxMetrics(
      source(async () => {
        if (down) throw new Error('connection refused');
        return { pending: 2, oldestUnsentAgeMs: 10, failing: 0 };
      }),
      { name: 'o', registry, onError: (error) => errors.push(error) },
    );
    expect(await registry.metrics()).toContain('troupe_outbox_pending{outbox="o"} 2');
    down = true;
    await new Promise((resolve) => setImmediate(resolve)); // the next scrape queries again
    const text = await registry.metrics();
    expect(text).toContain('other_gauge 3');
    expect(text).not.toMatch(/troupe_outbox_pending\{/); // no stale number from the last scrape
    expect(errors.map((e) => e.message)).toEqual(['connection refused']);
  });

  test('a stats query slower than timeoutMs does not hold the scrape', async () => {
    const registry = new Registry();
    const errors: Error[] = [];
    registerOutboxMetrics(
      source(() => new Promise<OutboxStats>(() => undefined)),
      { name: 'o', registry, timeoutMs: 20, onError: (error) => errors.push(error) },
    );
    const started = Date.now();
    expect(await registry.metrics()).not.toMatch(/troupe_outbox_pending\{/);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(errors[0]).toMatchObject({
      code: 'TIMEOUT',
      message: 'outbox stats did not finish within 20ms',
    });
  });

  test('an outbox without failure tracking (Redis) has no failing sample rather than a false 0', async () => {
    const registry = new Registry();
    registerOutboxMetrics(
      source(async () => ({ pending: 0, oldestUnsentAgeMs: null })),
      { name: 'stream', registry },
    );
    const text = await registry.metrics();
    expect(text).toContain('troupe_outbox_pending{outbox="stream"} 0');
    expect(text).not.toMatch(/troupe_outbox_failing\{/);
  });
});
