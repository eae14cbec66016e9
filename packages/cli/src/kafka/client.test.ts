import { ConfigError } from '@troupe/kit';
import type { CliContext } from '../context';
import {
  KafkaUnreachableError,
  explainKafkaError,
  kafkaConnection,
  resolveBrokers,
} from './client';

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

describe('kafkaConnection', () => {
  it('connects as services do: TLS, SASL and the driver from TROUPE_KAFKA_*, brokers as resolved', () => {
    const env = {
      TROUPE_KAFKA_BROKERS: 'env:9092',
      TROUPE_KAFKA_SSL: 'true',
      TROUPE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      TROUPE_KAFKA_SASL_USERNAME: 'ops',
      TROUPE_KAFKA_SASL_PASSWORD: 'secret',
    };
    expect(kafkaConnection(['flag:9092'], context(env))).toEqual({
      brokers: ['flag:9092'],
      driver: 'kafkajs',
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'ops', password: 'secret' },
    });
  });

  it('needs no TROUPE_KAFKA_BROKERS when --brokers named them, even a TROUPE_KAFKA_BROKERS_FILE', () => {
    const env = { TROUPE_KAFKA_BROKERS_FILE: '/nonexistent' };
    expect(kafkaConnection(['a:1'], context(env)).brokers).toEqual(['a:1']);
  });

  it('names a variable services would refuse too', () => {
    expect(() =>
      kafkaConnection(['a:1'], context({ TROUPE_KAFKA_SASL_MECHANISM: 'plain' })),
    ).toThrow(/^TROUPE_KAFKA_SASL_USERNAME: /);
    expect(() => kafkaConnection(['a:1'], context({ TROUPE_KAFKA_DRIVER: 'rdkafka' }))).toThrow(
      ConfigError,
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
