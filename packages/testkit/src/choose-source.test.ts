import { chooseStackSource } from './choose-source';

const all = {
  TROUPE_KAFKA_BROKERS: '127.0.0.1:9092',
  TROUPE_REDIS_URL: 'redis://127.0.0.1:6379',
  TROUPE_DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres',
};

describe('chooseStackSource', () => {
  it('uses the TROUPE_* settings when they are all set, even when Docker answers', () => {
    expect(chooseStackSource(all, true).source).toBe('env');
    expect(chooseStackSource(all, false).source).toBe('env');
  });

  it('uses testcontainers when no settings are given and a Docker engine answers', () => {
    expect(chooseStackSource({}, true)).toEqual({
      source: 'testcontainers',
      reason: 'a Docker engine answers',
    });
  });

  it('falls back to the local devstack when no Docker engine answers', () => {
    expect(chooseStackSource({}, false).source).toBe('devstack');
  });

  it('lets TROUPE_STACK=devstack skip Docker', () => {
    expect(chooseStackSource({ TROUPE_STACK: 'devstack' }, true).source).toBe('devstack');
  });

  it('refuses half a configuration, naming what is missing', () => {
    expect(() => chooseStackSource({ TROUPE_KAFKA_BROKERS: '127.0.0.1:9092' }, false)).toThrow(
      'TROUPE_KAFKA_BROKERS set but TROUPE_REDIS_URL, TROUPE_DATABASE_URL missing',
    );
  });
});
