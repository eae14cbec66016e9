import { Events, EventTypes } from '@troupe/contracts';
import { Environment, createFailFastRedis, defineService } from '@troupe/kit';
import {
  PipelineService,
  PipelineNames,
  RunningService,
  createPipelineService,
  loadPipelineSettings,
  readDuration,
  readNumber,
  releaseEventId,
  serviceName,
} from '@troupe-services/pipeline';
import { DEFAULT_DETECTION, DetectionSettings, judgeCanary } from './statistics';
import { WindowStore } from './window-store';
import { WATCHDOG } from './settings';

export interface WatchdogSettings {
  detection: DetectionSettings;
  /** Canary history kept for dating the first bad window. */
  historyMs: number;
}

/**
 * Each variable, its default and meaning: ./settings.ts (listed in docs/settings.md).
 */
export function loadWatchdogSettings(env: Environment): WatchdogSettings {
  const d = DEFAULT_DETECTION;
  return {
    detection: {
      horizonMs: readDuration(env, WATCHDOG.horizon, {
        minMs: 100,
        maxMs: 3_600_000,
      }),
      minRequests: readNumber(env, WATCHDOG.minRequests, {
        min: 1,
        max: 10_000_000,
        integer: true,
      }),
      zThreshold: readNumber(env, WATCHDOG.z, { min: 1, max: 20 }),
      minIncrease: readNumber(env, WATCHDOG.minIncrease, {
        min: 0,
        max: 1,
      }),
      marginZ: readNumber(env, WATCHDOG.marginZ, { min: 0, max: 20 }),
      changePointThreshold: d.changePointThreshold,
    },
    historyMs: readDuration(env, WATCHDOG.history, {
      minMs: 1_000,
      maxMs: 24 * 3_600_000,
    }),
  };
}

/**
 * RequestSamples → rolling windows in Redis → on each canary sample, the canary judged against the
 * stable baseline → CanaryDegraded, once per release (ctx.once keyed by the release).
 */
export function watchdogDefinition(
  settings: PipelineNames,
  watchdog: WatchdogSettings,
  store: WindowStore,
) {
  // Releases already reported by this instance: later samples of them need no judging.
  const reported = new Set<string>();
  return defineService<EventTypes>()({
    name: serviceName('watchdog', settings),
    dedup: true, // each event handled once per event id; ctx.once for effects
    topics: [settings.topics.samples],
    publishes: { [Events.CanaryDegraded]: settings.topics.releases },
    consumes: {
      [Events.RequestSamples]: async (sample, ctx) => {
        const releaseId = sample.releaseId;
        if (releaseId === null) return store.addBaseline(sample);
        const windows = await store.addCanary({ ...sample, releaseId });
        if (reported.has(releaseId)) return;
        const verdict = judgeCanary(windows.canary, windows.baseline, watchdog.detection);
        if (!verdict.degraded) return;
        const firstBadSampleAt = new Date(verdict.firstBadSampleAt as number);
        await ctx.once(`degraded:${releaseId}`, async () => {
          ctx.log.info(
            { releaseId, service: sample.service, version: sample.version, verdict },
            'canary degraded',
          );
          await ctx.publish(
            Events.CanaryDegraded,
            {
              releaseId,
              service: sample.service,
              version: sample.version,
              canaryErrorRate: verdict.canaryErrorRate,
              baselineErrorRate: verdict.baselineErrorRate,
              zScore: verdict.zScore,
              pValue: verdict.pValue,
              samples: verdict.canaryRequests + verdict.baselineRequests,
              firstBadSampleAt,
              detectedAt: new Date(),
            },
            { key: releaseId, id: releaseEventId(releaseId, 'CanaryDegraded') },
          );
        });
        reported.add(releaseId);
      },
    },
  });
}

export interface RunningWatchdog extends RunningService {
  readonly pipeline: PipelineService;
}

export async function startWatchdog(
  env: Environment = process.env,
  options: { opsServer?: boolean } = {},
): Promise<RunningWatchdog> {
  const settings = loadPipelineSettings(env);
  const watchdog = loadWatchdogSettings(env);
  const redis = createFailFastRedis(settings.redis);
  const store = new WindowStore(redis, settings.redisPrefix, watchdog.historyMs);
  const definition = watchdogDefinition(settings, watchdog, store);
  const pipeline = createPipelineService(definition, settings, {
    redis,
    opsServer: options.opsServer ?? false,
    handlerTimeoutMs: 10_000,
    dedupLeaseMs: 15_000,
  });
  await pipeline.service.start();
  return { name: definition.name, pipeline, stop: () => pipeline.stop() };
}
