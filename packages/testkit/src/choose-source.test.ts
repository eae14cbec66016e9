import { chooseStackSource } from './choose-source';
import type { RuntimeProbe } from './docker';

const all = {
  TROUPE_KAFKA_BROKERS: '127.0.0.1:9092',
  TROUPE_REDIS_URL: 'redis://127.0.0.1:6379',
  TROUPE_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
};

const found = async (): Promise<RuntimeProbe> => ({
  found: true,
  runtime: 'Docker Engine 27.3.1, containers at localhost',
});
const absent = async (): Promise<RuntimeProbe> => ({
  found: false,
  reason: 'testcontainers has no container runtime to try',
});
/** A probe that must not run: the choice was already made without it. */
const unasked = async (): Promise<RuntimeProbe> => {
  throw new Error('the container runtime was probed');
};

describe('chooseStackSource', () => {
  it('uses the TROUPE_* settings when they are all set, without probing for a runtime', async () => {
    expect((await chooseStackSource(all, unasked)).source).toBe('env');
    expect((await chooseStackSource({ ...all, TROUPE_STACK: 'devstack' }, unasked)).source).toBe(
      'env',
    );
  });

  it('uses testcontainers when no settings are given and testcontainers reaches a runtime', async () => {
    expect(await chooseStackSource({}, found)).toEqual({
      source: 'testcontainers',
      reason: 'testcontainers reaches Docker Engine 27.3.1, containers at localhost',
    });
  });

  it('falls back to the local devstack when testcontainers reaches no runtime, saying why', async () => {
    expect(await chooseStackSource({}, absent)).toEqual({
      source: 'devstack',
      reason: 'testcontainers has no container runtime to try; starting local processes',
    });
  });

  it('lets TROUPE_STACK=devstack skip the runtime check', async () => {
    expect(await chooseStackSource({ TROUPE_STACK: 'devstack' }, unasked)).toEqual({
      source: 'devstack',
      reason: 'TROUPE_STACK=devstack',
    });
  });

  it('starts a secured stack as local processes without probing, and still prefers given settings', async () => {
    expect(await chooseStackSource({}, unasked, { secure: true })).toEqual({
      source: 'devstack',
      reason: 'a secured stack runs as local processes',
    });
    expect((await chooseStackSource(all, unasked, { secure: true })).source).toBe('env');
  });

  it('starts a Kafka cluster as local processes without probing; one node may still be a container', async () => {
    expect(await chooseStackSource({}, unasked, { kafkaNodes: 3 })).toEqual({
      source: 'devstack',
      reason: 'a Kafka cluster runs as local processes',
    });
    expect((await chooseStackSource(all, unasked, { kafkaNodes: 3 })).source).toBe('env');
    const found = async () => ({ found: true as const, runtime: 'docker' });
    expect((await chooseStackSource({}, found, { kafkaNodes: 1 })).source).toBe('testcontainers');
  });

  it('refuses half a configuration, naming what is missing, without probing', async () => {
    await expect(
      chooseStackSource({ TROUPE_KAFKA_BROKERS: '127.0.0.1:9092' }, unasked),
    ).rejects.toThrow('TROUPE_KAFKA_BROKERS set but TROUPE_REDIS_URL, TROUPE_DATABASE_URL missing');
  });
});
