import { Topics } from '@troupe/contracts';
import { ConfigError, Environment, RedisConnection, TroupeConfig, loadConfig } from '@troupe/kit';
import type { SettingDoc } from '@troupe/kit/internal';
import { readBoolean, readDuration, readOptionalString, readString } from './env';

/** The topics the pipeline's events travel on; defaults from schemas/topics.json. */
export interface PipelineTopics {
  releases: string;
  samples: string;
  alerts: string;
}

/**
 * What every pipeline service reads besides the kit's own settings (docs/settings.md lists them
 * with the rest); loadPipelineSettings reads each by its declaration, defaults included.
 */
export const PIPELINE = {
  releasesTopic: {
    name: 'TROUPE_RELEASES_TOPIC',
    default: Topics.releasesEvents,
    description: 'The topic of release events.',
    fromFile: true,
  },
  samplesTopic: {
    name: 'TROUPE_SAMPLES_TOPIC',
    default: Topics.telemetrySamples,
    description: 'The topic of request samples.',
    fromFile: true,
  },
  alertsTopic: {
    name: 'TROUPE_ALERTS_TOPIC',
    default: Topics.alertsEvents,
    description: 'The topic of alerts.',
    fromFile: true,
  },
  namespace: {
    name: 'TROUPE_PIPELINE_NAMESPACE',
    default: 'none',
    description:
      'Suffix of the consumer groups and prefix of the Redis keys, so two pipelines can share one stack (1-60 letters, digits, _ or -).',
    fromFile: true,
  },
  redisUrl: {
    name: 'TROUPE_REDIS_URL',
    default: 'required',
    description: 'The Redis holding the traffic router, dedup keys and service state.',
    fromFile: true,
  },
  autoRegister: {
    name: 'TROUPE_SCHEMAS_AUTO_REGISTER',
    default: 'true',
    description: 'Register a schema on first use; false requires it to be registered already.',
    fromFile: true,
  },
  consumerMaxWait: {
    name: 'TROUPE_CONSUMER_MAX_WAIT',
    default: '100ms',
    description: "The longest a fetch waits for data (the consumer's maxWaitTimeMs), 10ms-10s.",
    fromFile: true,
  },
  sessionTimeout: {
    name: 'TROUPE_CONSUMER_SESSION_TIMEOUT',
    default: '10s',
    description:
      'How soon the group notices a dead member, 1s-300s (a default broker refuses less than 6s).',
    fromFile: true,
  },
  instanceId: {
    name: 'TROUPE_INSTANCE_ID',
    default: 'none',
    description:
      "Read by the kit; also names the service's dedup lease owner, so a restarted instance with the same id takes its leases back at once (unique among live instances).",
    fromFile: true,
  },
} as const satisfies Record<string, SettingDoc>;

/** The pipeline's settings, for docs/settings.md. */
export const SETTINGS: readonly SettingDoc[] = Object.values(PIPELINE);

export interface PipelineSettings {
  kit: TroupeConfig;
  topics: PipelineTopics;
  namespace?: string;
  /** TROUPE_REDIS_URL, _PASSWORD and _TLS_CA_FILE, as the kit reads them (createFailFastRedis takes it). */
  redis: RedisConnection;
  /** Prefix of every Redis key this pipeline writes. */
  redisPrefix: string;
  autoRegisterSchemas: boolean;
  consumerMaxWaitMs: number;
  sessionTimeoutMs: number;
}

const NAMESPACE = /^[A-Za-z0-9_-]{1,60}$/;

export function loadPipelineSettings(env: Environment = process.env): PipelineSettings {
  const kit = loadConfig(env);
  const namespace = readOptionalString(env, PIPELINE.namespace);
  if (namespace !== undefined && !NAMESPACE.test(namespace)) {
    throw new ConfigError(PIPELINE.namespace.name, '1-60 letters, digits, "_" or "-"', namespace);
  }
  return {
    kit,
    topics: {
      releases: readString(env, PIPELINE.releasesTopic),
      samples: readString(env, PIPELINE.samplesTopic),
      alerts: readString(env, PIPELINE.alertsTopic),
    },
    namespace,
    redis: requiredRedis(kit),
    redisPrefix: `troupe:pipeline:${namespace ?? 'default'}`,
    autoRegisterSchemas: readBoolean(env, PIPELINE.autoRegister),
    consumerMaxWaitMs: readDuration(env, PIPELINE.consumerMaxWait, {
      minMs: 10,
      maxMs: 10_000,
    }),
    sessionTimeoutMs: readDuration(env, PIPELINE.sessionTimeout, {
      minMs: 1_000,
      maxMs: 300_000,
    }),
  };
}

/** What a service definition needs of the settings: the topics and the namespace. */
export type PipelineNames = Pick<PipelineSettings, 'topics' | 'namespace'>;

/**
 * The names the services run with when no TROUPE_* setting changes them: what the system
 * catalog (troupe.config.ts) describes.
 */
export function defaultPipelineNames(env: Environment = {}): PipelineNames {
  return {
    topics: {
      releases: readString(env, PIPELINE.releasesTopic),
      samples: readString(env, PIPELINE.samplesTopic),
      alerts: readString(env, PIPELINE.alertsTopic),
    },
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

/**
 * The kit validates TROUPE_REDIS_* (and never quotes a password back); the pipeline needs Redis,
 * where the kit only uses it when a service declares dedup.
 */
function requiredRedis(kit: TroupeConfig): RedisConnection {
  if (!kit.redis)
    throw new ConfigError(
      'TROUPE_REDIS_URL',
      'a redis:// or rediss:// URL, e.g. redis://redis:6379 (it is not set; the pipeline keeps its router and state in Redis)',
    );
  return kit.redis;
}
