import { measureOutbox } from './outbox-measure';

/**
 * A short run of the outbox benchmark as a regression guard. Bounds are loose (shared CI machines);
 * what they catch is a claim that scans the backlog, a row-at-a-time relay, or a relay that waits
 * for polling instead of NOTIFY.
 */
describe('outbox benchmark (short)', () => {
  it('the relay keeps up with raw produce and NOTIFY keeps latency low', async () => {
    const {
      TROUPE_KAFKA_BROKERS: brokers,
      TROUPE_SCHEMA_REGISTRY_URL: registryUrl,
      TROUPE_DATABASE_URL: databaseUrl,
    } = process.env;
    if (!brokers || !registryUrl || !databaseUrl) {
      throw new Error(
        'TROUPE_KAFKA_BROKERS, TROUPE_SCHEMA_REGISTRY_URL and TROUPE_DATABASE_URL must be set',
      );
    }
    const result = await measureOutbox({
      brokers: brokers.split(','),
      registryUrl,
      databaseUrl,
      events: 5_000,
      rounds: 1,
      latencyEvents: 200,
    });
    expect(result.ratio).toBeGreaterThan(0.2);
    expect(result.latency.events).toBe(200);
    expect(result.latency.p50Ms).toBeLessThan(200); // polling would give ~500 ms on average
  }, 90_000);
});
