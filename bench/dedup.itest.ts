import { measureDedup } from './dedup-measure';

/**
 * A short run of the dedup benchmark as a regression guard. The bound is far below the 0.8x
 * target (measured 0.55–0.62x with a no-op handler on a 2-core host that also runs Kafka and
 * Redis): what it catches is a Redis round trip per event instead of per batch (that drops the
 * ratio to ~0.2x).
 */
describe('dedup benchmark (short)', () => {
  it('dedup keeps a fair share of the service throughput', async () => {
    const {
      TROUPE_KAFKA_BROKERS: brokers,
      TROUPE_SCHEMA_REGISTRY_URL: registryUrl,
      TROUPE_REDIS_URL: redisUrl,
    } = process.env;
    if (!brokers || !registryUrl || !redisUrl) {
      throw new Error(
        'TROUPE_KAFKA_BROKERS, TROUPE_SCHEMA_REGISTRY_URL and TROUPE_REDIS_URL must be set',
      );
    }
    const result = await measureDedup({
      brokers: brokers.split(','),
      registryUrl,
      redisUrl,
      events: 20_000,
      rounds: 1,
    });
    expect(result.redisRoundTripsPerBatch).toBeLessThan(3);
    expect(result.ratio).toBeGreaterThan(0.25);
  }, 90_000);
});
