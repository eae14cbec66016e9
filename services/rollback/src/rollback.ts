import { Events, EventTypes } from '@troupe/contracts';
import { ConfigError, Environment, createFailFastRedis, defineService } from '@troupe/kit';
import {
  PipelineService,
  PipelineSettings,
  RedisTrafficRouter,
  RunningService,
  createPipelineService,
  loadPipelineSettings,
  readOptionalString,
  releaseEventId,
  serviceName,
} from '@troupe-services/pipeline';

/**
 * Fault injection for the crash scenarios: `after-router` kills this process (SIGKILL, no
 * cleanup) right after the router rolled back and before RolledBack is published, the dedup mark
 * written or the offset committed: the worst moment to die. Set it only for one run.
 */
export type RollbackFault = 'after-router';

export function loadRollbackFault(env: Environment): RollbackFault | undefined {
  const fault = readOptionalString(env, 'TROUPE_ROLLBACK_FAULT');
  if (fault === undefined) return undefined;
  if (fault !== 'after-router')
    throw new ConfigError('TROUPE_ROLLBACK_FAULT', 'after-router (or unset)', fault);
  return fault;
}

/**
 * CanaryDegraded → the router sends all traffic back to the stable version → RolledBack.
 *
 * Exactly once, in layers: the dedup middleware skips an event already handled; `ctx.once`
 * keyed by the release skips a second CanaryDegraded of the same release (a duplicate the watchdog
 * sent, or a redelivery after a crash once the first run finished); and the router's rollback is
 * itself idempotent per release (a run that died halfway and is retried after its lease expired
 * finds the release rolled back and gets the first rollback's time, without a second change).
 * What remains at-least-once: a crash after Kafka acknowledged RolledBack and before the once-mark
 * reached Redis (a window of one Redis round trip) publishes RolledBack again, with the same event
 * id, which consumers' dedup drops.
 */
export function rollbackDefinition(
  settings: PipelineSettings,
  router: RedisTrafficRouter,
  fault?: RollbackFault,
) {
  const topic = settings.topics.releases;
  return defineService<EventTypes>()({
    name: serviceName('rollback', settings),
    topics: [topic],
    publishes: { [Events.RolledBack]: topic },
    consumes: {
      [Events.CanaryDegraded]: {
        dependsOn: ['router'],
        handle: async (degraded, ctx) => {
          if (!ctx.once)
            throw new Error(
              'rollback: ctx.once is missing; the dedup middleware must be in the chain',
            );
          const { releaseId, service } = degraded;
          const ran = await ctx.once(`rollback:${releaseId}`, async () => {
            const result = await ctx
              .breaker('router')
              .run(() => router.rollback(service, releaseId));
            if (result.outcome === 'refused') {
              ctx.log.warn({ releaseId, service, reason: result.reason }, 'nothing to roll back');
              return 'refused';
            }
            if (fault === 'after-router') {
              ctx.log.warn(
                { releaseId },
                'fault injection: killing this process after the router rolled back',
              );
              process.kill(process.pid, 'SIGKILL');
            }
            await ctx.publish(
              Events.RolledBack,
              {
                releaseId,
                service,
                fromVersion: result.fromVersion,
                toVersion: result.toVersion,
                reason: `canary error rate ${percent(degraded.canaryErrorRate)} vs baseline ${percent(degraded.baselineErrorRate)} (z ${degraded.zScore.toFixed(1)})`,
                firstBadSampleAt: degraded.firstBadSampleAt,
                rolledBackAt: new Date(result.at),
              },
              { key: releaseId, id: releaseEventId(releaseId, 'RolledBack') },
            );
            ctx.log.info(
              {
                releaseId,
                service,
                outcome: result.outcome,
                healMs: result.at - degraded.firstBadSampleAt.getTime(),
              },
              'rolled back',
            );
            return result.outcome;
          });
          if (ran === undefined)
            ctx.log.info({ releaseId }, 'release already rolled back: duplicate ignored');
        },
      },
    },
  });
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

export interface RunningRollback extends RunningService {
  readonly pipeline: PipelineService;
  readonly router: RedisTrafficRouter;
}

export async function startRollback(
  env: Environment = process.env,
  options: { opsServer?: boolean } = {},
): Promise<RunningRollback> {
  const settings = loadPipelineSettings(env);
  const redis = createFailFastRedis(settings.redisUrl);
  const router = new RedisTrafficRouter(redis, settings.redisPrefix);
  const definition = rollbackDefinition(settings, router, loadRollbackFault(env));
  // A short lease: after a crash, the restarted instance may retry the release soon.
  const pipeline = createPipelineService(definition, settings, {
    redis,
    opsServer: options.opsServer ?? false,
    handlerTimeoutMs: 4_000,
    dedupLeaseMs: 5_000,
    breakers: { router: { resetTimeoutMs: 1_000, volumeThreshold: 3 } },
  });
  await pipeline.service.start();
  return { name: definition.name, pipeline, router, stop: () => pipeline.stop() };
}
