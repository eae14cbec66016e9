import {
  BreakerSettings,
  DedupDeclaration,
  EventMap,
  PublishMap,
  RedisDedupStore,
  ServiceDefinition,
  TroupeService,
  createFailFastRedis,
  createService,
} from '@troupe/kit';
import type { Redis } from 'ioredis';
import { createPipelineCodec } from './codec';
import type { PipelineSettings } from './settings';

export interface PipelineServiceOptions {
  /** Serve /healthz, /readyz and /metrics on the kit's TROUPE_HTTP_PORT (processes do, tests need not). */
  opsServer: boolean;
  /** How long a dedup claim keeps other consumers out; above the handler timeout. Default 30 s. */
  dedupLeaseMs?: number;
  handlerTimeoutMs?: number;
  breakers?: Record<string, BreakerSettings>;
  /** The Redis connection for dedup (and the service's own state); made from TROUPE_REDIS_URL if absent. Closed by stop(). */
  redis?: Redis;
}

/** A kit service plus the Redis connection its dedup store uses. */
export interface PipelineService {
  service: TroupeService;
  /** The fail-fast connection used by dedup; the service may use it for its own state too. */
  redis: Redis;
  stop(): Promise<void>;
}

/**
 * Creates (does not start) a kit service the way every pipeline service runs: Avro codec from the
 * contracts, Redis dedup (lease, then done; every pipeline definition declares `dedup`, so its
 * handlers have `ctx.once`), consumer
 * fetches tuned for latency (TROUPE_CONSUMER_MAX_WAIT) and a session timeout short enough that a
 * killed instance's partitions move on soon (TROUPE_CONSUMER_SESSION_TIMEOUT).
 */
export function createPipelineService<
  E extends EventMap,
  P extends PublishMap<E>,
  D extends DedupDeclaration,
>(
  definition: ServiceDefinition<E, P, D>,
  settings: PipelineSettings,
  options: PipelineServiceOptions,
): PipelineService {
  const redis = options.redis ?? createFailFastRedis(settings.redis);
  const store = new RedisDedupStore({
    redis,
    service: definition.name,
    leaseMs: options.dedupLeaseMs ?? 30_000,
    prefix: `${settings.redisPrefix}:dedup`,
    // A stable identity (TROUPE_INSTANCE_ID, like a StatefulSet pod name) lets a restarted
    // instance take back the leases its previous incarnation died holding, at once instead of
    // after the lease. It must be unique among the instances alive at the same time.
    owner: settings.kit.instanceId ? `${definition.name}:${settings.kit.instanceId}` : undefined,
  });
  const config = settings.kit;
  const service = createService(definition, {
    config,
    dedupStore: store,
    codec: createPipelineCodec(config, settings.autoRegisterSchemas),
    handlerTimeoutMs: options.handlerTimeoutMs,
    http: options.opsServer ? { port: config.http.port, host: config.http.host } : false,
    breakers: options.breakers ? { perName: options.breakers } : undefined,
    consumer: {
      maxWaitTimeMs: settings.consumerMaxWaitMs,
      sessionTimeoutMs: settings.sessionTimeoutMs,
      heartbeatIntervalMs: Math.max(500, Math.floor(settings.sessionTimeoutMs / 5)),
      rebalanceTimeoutMs: Math.max(settings.sessionTimeoutMs, 10_000),
    },
  });
  let stopped: Promise<void> | undefined;
  return {
    service,
    redis,
    stop: () =>
      (stopped ??= (async () => {
        await service.stop();
        await quitRedis(redis);
      })()),
  };
}

/** QUIT (pending replies first, so deferred dedup marks land), or drop the socket if Redis does not answer. */
export async function quitRedis(redis: Redis): Promise<void> {
  if (redis.status === 'end') return;
  const timer = setTimeout(() => redis.disconnect(), 2_000);
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
