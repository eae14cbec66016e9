import { Topics } from '@troupe/contracts';
import { ConfigError, Environment, TroupeConfig, loadConfig } from '@troupe/kit';
import { readBoolean, readDuration, readOptionalString, readRedisUrl, readString } from './env';

/** The topics the pipeline's events travel on; defaults from schemas/topics.json. */
export interface PipelineTopics {
  releases: string;
  samples: string;
  alerts: string;
}

/**
 * What every pipeline service reads besides the kit's own settings:
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | TROUPE_RELEASES_TOPIC | `releases.events` | release events |
 * | TROUPE_SAMPLES_TOPIC | `telemetry.samples` | request samples |
 * | TROUPE_ALERTS_TOPIC | `alerts.events` | alerts |
 * | TROUPE_PIPELINE_NAMESPACE | none | suffix of consumer groups and prefix of Redis keys, so two pipelines can share one stack |
 * | TROUPE_REDIS_URL | required | router, dedup and service state |
 * | TROUPE_SCHEMAS_AUTO_REGISTER | `true` | register a schema on first use (else it must be registered already) |
 * | TROUPE_CONSUMER_MAX_WAIT | `100ms` | longest a fetch waits for data (the consumer's maxWaitTimeMs) |
 * | TROUPE_CONSUMER_SESSION_TIMEOUT | `10s` | how soon the group notices a dead member (min 6s on a default broker) |
 */
export interface PipelineSettings {
  kit: TroupeConfig;
  topics: PipelineTopics;
  namespace?: string;
  redisUrl: string;
  /** Prefix of every Redis key this pipeline writes. */
  redisPrefix: string;
  autoRegisterSchemas: boolean;
  consumerMaxWaitMs: number;
  sessionTimeoutMs: number;
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,60}$/;

export function loadPipelineSettings(env: Environment = process.env): PipelineSettings {
  const kit = loadConfig(env);
  const namespace = readOptionalString(env, 'TROUPE_PIPELINE_NAMESPACE');
  if (namespace !== undefined && !NAMESPACE.test(namespace)) {
    throw new ConfigError(
      'TROUPE_PIPELINE_NAMESPACE',
      '1-60 letters, digits, "_" or "-"',
      namespace,
    );
  }
  return {
    kit,
    topics: {
      releases: readString(env, 'TROUPE_RELEASES_TOPIC', Topics.releasesEvents),
      samples: readString(env, 'TROUPE_SAMPLES_TOPIC', Topics.telemetrySamples),
      alerts: readString(env, 'TROUPE_ALERTS_TOPIC', Topics.alertsEvents),
    },
    namespace,
    redisUrl: readRedisUrl(env),
    redisPrefix: `troupe:pipeline:${namespace ?? 'default'}`,
    autoRegisterSchemas: readBoolean(env, 'TROUPE_SCHEMAS_AUTO_REGISTER', true),
    consumerMaxWaitMs: readDuration(env, 'TROUPE_CONSUMER_MAX_WAIT', 100, {
      minMs: 10,
      maxMs: 10_000,
    }),
    sessionTimeoutMs: readDuration(env, 'TROUPE_CONSUMER_SESSION_TIMEOUT', 10_000, {
      minMs: 1_000,
      maxMs: 300_000,
    }),
  };
}

/** The service's name, also its consumer group and dedup namespace: `verifier` or `verifier.<namespace>`. */
export function serviceName(base: string, settings: Pick<PipelineSettings, 'namespace'>): string {
  return settings.namespace ? `${base}.${settings.namespace}` : base;
}

/** Deterministic event ids: a handler that runs again publishes the same id, which consumers' dedup drops. */
export function releaseEventId(releaseId: string, step: string): string {
  return `${releaseId}.${step}`;
}
