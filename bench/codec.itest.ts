import { SCHEMAS_DIR, measureCodec } from './codec-measure';

/**
 * A short run of the codec benchmark as a regression guard: the cached path must stay close
 * to bare avsc. The bound is looser than the 1.5x target because CI machines are noisy; a
 * registry call or a promise chain per message would still be caught (those cost 10x+).
 */
describe('codec benchmark (short)', () => {
  it('encode+decode through AvroCodec stays within 2.5x of avsc alone', async () => {
    const registryUrl = process.env.TROUPE_SCHEMA_REGISTRY_URL;
    if (!registryUrl) throw new Error('TROUPE_SCHEMA_REGISTRY_URL is not set');
    const result = await measureCodec({
      registryUrl,
      schemasDir: SCHEMAS_DIR,
      rounds: 3,
      roundMs: 300,
    });
    expect(result.messageBytes).toBeGreaterThan(900);
    expect(result.messageBytes).toBeLessThan(1300);
    expect(result.ratio).toBeLessThan(2.5);
  }, 30_000);
});
