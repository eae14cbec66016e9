import { Events, EventTypes } from '@troupe/contracts';
import { Environment, createFailFastRedis, defineService } from '@troupe/kit';
import {
  PipelineService,
  PipelineNames,
  RedisTrafficRouter,
  RunningService,
  createPipelineService,
  loadPipelineSettings,
  readDuration,
  readNumber,
  readString,
  releaseEventId,
  serviceName,
} from '@troupe-services/pipeline';
import { CanaryState } from './canary-state';
import { CANARY } from './settings';
import { PromotionLoop } from './promotion-loop';

export interface CanarySettings {
  /** How long a canary must stay healthy before it is promoted. */
  observationMs: number;
  /** Share used when the release's request was never seen. */
  defaultShare: number;
  /** The version a service is assumed to run when the router has never seen it. */
  initialStableVersion: string;
  promotionIntervalMs: number;
}

/**
 * Each variable, its default and meaning: ./settings.ts (listed in docs/settings.md).
 */
export function loadCanarySettings(env: Environment): CanarySettings {
  return {
    observationMs: readDuration(env, CANARY.observation, {
      maxMs: 24 * 3_600_000,
    }),
    defaultShare: readNumber(env, CANARY.defaultShare, { min: 0.001, max: 1 }),
    initialStableVersion: readString(env, CANARY.initialStableVersion),
    promotionIntervalMs: readDuration(env, CANARY.promotionInterval, {
      minMs: 10,
      maxMs: 60_000,
    }),
  };
}

/**
 * ReleaseRequested → remember the requested share. TestsPassed → start the canary on the router
 * (through the `router` breaker) → CanaryStarted, and schedule the promotion. CanaryDegraded or
 * RolledBack → never promote that release.
 */
export function canaryDefinition(
  settings: PipelineNames,
  canary: CanarySettings,
  state: CanaryState,
  router: RedisTrafficRouter,
) {
  const topic = settings.topics.releases;
  return defineService<EventTypes>()({
    name: serviceName('canary', settings),
    dedup: true, // each event handled once per event id; ctx.once for effects
    topics: [topic],
    publishes: { [Events.CanaryStarted]: topic },
    consumes: {
      [Events.ReleaseRequested]: (request) =>
        state.rememberShare(request.releaseId, request.canaryShare),
      [Events.TestsPassed]: {
        dependsOn: ['router'],
        handle: async (passed, ctx) => {
          const { releaseId, service, version } = passed;
          const share = (await state.shareOf(releaseId)) ?? canary.defaultShare;
          const started = await ctx.breaker('router').run(() =>
            router.startCanary({
              service,
              releaseId,
              version,
              share,
              defaultStableVersion: canary.initialStableVersion,
              correlationId: ctx.metadata.correlationId,
              // The canary's samples are published in this context: the release's trace.
              traceparent: ctx.traceparent ?? ctx.metadata.traceparent,
            }),
          );
          if (started.outcome === 'ended') {
            ctx.log.info(
              { releaseId, endedAs: started.endedAs },
              'release already ended: no canary',
            );
            return;
          }
          if (started.replacedReleaseId)
            ctx.log.warn(
              { releaseId, replaced: started.replacedReleaseId },
              'canary replaced an earlier canary of the service',
            );
          const envelope = await ctx.publish(
            Events.CanaryStarted,
            {
              releaseId,
              service,
              version,
              share,
              stableVersion: started.stableVersion,
              startedAt: new Date(started.startedAt),
            },
            { key: releaseId, id: releaseEventId(releaseId, 'CanaryStarted') },
          );
          await state.schedule({
            releaseId,
            service,
            version,
            dueAt: started.startedAt + canary.observationMs,
            correlationId: ctx.metadata.correlationId,
            causationId: envelope.id,
            traceparent: envelope.traceparent,
          });
          ctx.log.info(
            { releaseId, service, version, share, stableVersion: started.stableVersion },
            'canary started',
          );
        },
      },
      [Events.CanaryDegraded]: (degraded) => state.halt(degraded.releaseId, 'degraded'),
      [Events.RolledBack]: (rolledBack) => state.halt(rolledBack.releaseId, 'rolled back'),
    },
  });
}

export interface RunningCanary extends RunningService {
  readonly pipeline: PipelineService;
  readonly router: RedisTrafficRouter;
}

export async function startCanary(
  env: Environment = process.env,
  options: { opsServer?: boolean } = {},
): Promise<RunningCanary> {
  const settings = loadPipelineSettings(env);
  const canary = loadCanarySettings(env);
  const redis = createFailFastRedis(settings.redis);
  const state = new CanaryState(redis, settings.redisPrefix);
  const router = new RedisTrafficRouter(redis, settings.redisPrefix);
  const definition = canaryDefinition(settings, canary, state, router);
  const pipeline = createPipelineService(definition, settings, {
    redis,
    opsServer: options.opsServer ?? false,
    handlerTimeoutMs: 5_000,
    dedupLeaseMs: 10_000,
    breakers: { router: { resetTimeoutMs: 1_000, volumeThreshold: 3 } },
  });
  const { service } = pipeline;
  const loop = new PromotionLoop({
    state,
    router,
    breaker: service.breakers.get('router'),
    publisher: service.publisher,
    releasesTopic: settings.topics.releases,
    logger: service.logger,
    intervalMs: canary.promotionIntervalMs,
  });
  await service.start();
  loop.start();
  return {
    name: definition.name,
    pipeline,
    router,
    stop: async () => {
      await loop.stop();
      await pipeline.stop();
    },
  };
}
