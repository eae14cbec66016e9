import { measureConsume } from './consume-measure';

/**
 * A short run of the consume benchmark as a regression guard. The bound is far below the 0.7x
 * target because CI machines are small and shared; what it catches is a per-event registry
 * call, log line or timer sneaking into the hot path (those cost several times the budget).
 */
describe('consume benchmark (short)', () => {
  it('a service keeps a fair share of raw kafkajs consume throughput', async () => {
    const brokers = process.env.TROUPE_KAFKA_BROKERS;
    const registryUrl = process.env.TROUPE_SCHEMA_REGISTRY_URL;
    if (!brokers || !registryUrl)
      throw new Error('TROUPE_KAFKA_BROKERS and TROUPE_SCHEMA_REGISTRY_URL must be set');
    const result = await measureConsume({
      brokers: brokers.split(','),
      registryUrl,
      events: 20_000,
      rounds: 1,
    });
    expect(result.rawEventsPerSec).toBeGreaterThan(0);
    expect(result.ratio).toBeGreaterThan(0.35);
  }, 90_000);
});
