import { Events, EventTypes } from '@troupe/contracts';
import {
  ConfigError,
  Environment,
  createFailFastRedis,
  createKafkaDriver,
  defineService,
} from '@troupe/kit';
import {
  PipelineService,
  PipelineNames,
  RedisTrafficRouter,
  RunningService,
  createPipelineService,
  isEventOnTopic,
  loadPipelineSettings,
  readOptionalString,
  releaseEventId,
  serviceName,
} from '@troupe-services/pipeline';
import { ROLLBACK } from './settings';

/**
 * Fault injection for the crash scenarios: the process kills itself (SIGKILL, no cleanup) at one
 * of the worst moments to die — `after-router`: the router rolled back, RolledBack not published;
 * `after-publish`: RolledBack stored by Kafka, but neither the once-mark written nor the offset
 * committed. Set it for one run only.
 */
export type RollbackFault = 'after-router' | 'after-publish';

const FAULTS: readonly RollbackFault[] = ['after-router', 'after-publish'];

export function loadRollbackFault(env: Environment): RollbackFault | undefined {
  const fault = readOptionalString(env, ROLLBACK.fault);
  if (fault === undefined) return undefined;
  if (!(FAULTS as readonly string[]).includes(fault)) {
    throw new ConfigError(ROLLBACK.fault.name, `${FAULTS.join(' or ')} (or unset)`, fault);
  }
  return fault as RollbackFault;
}

function crash(
  fault: RollbackFault,
  log: { warn: (o: object, m: string) => void },
  releaseId: string,
): void {
  log.warn({ releaseId, fault }, 'fault injection: killing this process');
  process.kill(process.pid, 'SIGKILL');
}

/**
 * CanaryDegraded → the router sends all traffic back to the stable version → RolledBack.
 *
 * Exactly once, in layers: the dedup middleware skips an event already handled; `ctx.once`
 * keyed by the release skips a second CanaryDegraded of the same release (a duplicate the watchdog
 * sent, or a redelivery after a crash once the first run finished); the router's rollback is
 * itself idempotent per release (a run that died halfway and is retried after its lease expired
 * finds the release rolled back and gets the first rollback's time, without a second change); and
 * when the router answers `already` — an earlier run did roll back, then died — the topic itself
 * is asked whether that run's RolledBack got out (it may have died with the acknowledgement in
 * flight, or before its once-mark reached Redis), and RolledBack is published only if not.
 */
export function rollbackDefinition(
  settings: PipelineNames,
  router: RedisTrafficRouter,
  /** Whether an event with this id is on the releases topic since the given time (the recovery path). */
  alreadyPublished: (eventId: string, since: Date) => Promise<boolean>,
  fault?: RollbackFault,
) {
  const topic = settings.topics.releases;
  return defineService<EventTypes>()({
    name: serviceName('rollback', settings),
    dedup: true, // each event handled once per event id; ctx.once for effects
    topics: [topic],
    publishes: { [Events.RolledBack]: topic },
    consumes: {
      [Events.CanaryDegraded]: {
        dependsOn: ['router'],
        handle: async (degraded, ctx) => {
          const { releaseId, service } = degraded;
          const ran = await ctx.once(`rollback:${releaseId}`, async () => {
            const result = await ctx
              .breaker('router')
              .run(() => router.rollback(service, releaseId));
            if (result.outcome === 'refused') {
              ctx.log.warn({ releaseId, service, reason: result.reason }, 'nothing to roll back');
              return 'refused';
            }
            if (fault === 'after-router') crash(fault, ctx.log, releaseId);
            const eventId = releaseEventId(releaseId, 'RolledBack');
            // Records are timestamped by their producer's clock: look a little further back.
            const since = new Date(Date.parse(ctx.metadata.time) - 10_000);
            if (result.outcome === 'already' && (await alreadyPublished(eventId, since))) {
              ctx.log.info(
                { releaseId, eventId },
                'an earlier run rolled back and published RolledBack before it died',
              );
              return 'already';
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
              { key: releaseId, id: eventId },
            );
            if (fault === 'after-publish') crash(fault, ctx.log, releaseId);
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
  const redis = createFailFastRedis(settings.redis);
  const router = new RedisTrafficRouter(redis, settings.redisPrefix);
  const kafka = createKafkaDriver(settings.kit.kafka, {
    clientId: `${serviceName('rollback', settings)}-probe`,
  });
  const alreadyPublished = (eventId: string, since: Date) =>
    isEventOnTopic(kafka, settings.topics.releases, eventId, { since, timeoutMs: 10_000 });
  const definition = rollbackDefinition(settings, router, alreadyPublished, loadRollbackFault(env));
  // The handler may read the topic (a group join) on its recovery path: room for that. A crashed
  // instance's leases block others this long, unless it comes back under the same
  // TROUPE_INSTANCE_ID (then it takes them back at once).
  const pipeline = createPipelineService(definition, settings, {
    redis,
    opsServer: options.opsServer ?? false,
    handlerTimeoutMs: 15_000,
    dedupLeaseMs: 20_000,
    breakers: { router: { resetTimeoutMs: 1_000, volumeThreshold: 3 } },
  });
  await pipeline.service.start();
  return { name: definition.name, pipeline, router, stop: () => pipeline.stop() };
}
