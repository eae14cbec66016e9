import { ConfigError } from '@troupe/kit';
import type { CliContext } from '../context';
import { KafkaUnreachableError, explainKafkaError, resolveBrokers } from './client';

const context = (env: Record<string, string>): CliContext => ({
  out: () => undefined,
  err: () => undefined,
  env,
  cwd: '/',
});

describe('resolveBrokers', () => {
  it('prefers --brokers over TROUPE_KAFKA_BROKERS and splits the list', () => {
    const env = { TROUPE_KAFKA_BROKERS: 'env:9092' };
    expect(resolveBrokers('a:9092, b:9093', context(env))).toEqual(['a:9092', 'b:9093']);
    expect(resolveBrokers(undefined, context(env))).toEqual(['env:9092']);
  });

  it("accepts what the services accept: Docker names with `_`, IPv6 (the kit's isBrokerAddress)", () => {
    expect(resolveBrokers('troupe_kafka_1:9092,[::1]:9093', context({}))).toEqual([
      'troupe_kafka_1:9092',
      '[::1]:9093',
    ]);
    expect(() => resolveBrokers('kafka:70000', context({}))).toThrow(ConfigError);
  });

  it('names the variable or the flag when missing or malformed', () => {
    expect(() => resolveBrokers(undefined, context({}))).toThrow(
      'TROUPE_KAFKA_BROKERS: expected Kafka brokers as host:port[,host:port…] (or pass --brokers)',
    );
    expect(() => resolveBrokers('localhost', context({}))).toThrow(ConfigError);
    expect(() => resolveBrokers('localhost', context({}))).toThrow(
      /^--brokers: .*found "localhost"$/,
    );
  });
});

describe('explainKafkaError', () => {
  it('turns a connection failure, even wrapped by the retrier, into one readable line', () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:1'), {
      name: 'KafkaJSConnectionError',
    });
    const retried = Object.assign(new Error(refused.message, { cause: refused }), {
      name: 'KafkaJSNumberOfRetriesExceeded',
    });
    const explained = explainKafkaError(retried, ['127.0.0.1:1']);
    expect(explained).toBeInstanceOf(KafkaUnreachableError);
    expect((explained as Error).message).toBe(
      'cannot reach Kafka at 127.0.0.1:1 (Connection error: connect ECONNREFUSED 127.0.0.1:1); check --brokers or TROUPE_KAFKA_BROKERS',
    );
  });

  it('leaves other errors alone', () => {
    const other = new Error('Topic authorization failed');
    expect(explainKafkaError(other, ['b:1'])).toBe(other);
  });
});
