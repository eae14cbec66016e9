import { Events, EventTypes } from '@troupe/contracts';
import { Environment, defineService } from '@troupe/kit';
import {
  PipelineService,
  PipelineNames,
  RunningService,
  createPipelineService,
  loadPipelineSettings,
  readDuration,
  readNumber,
  readString,
  releaseEventId,
  serviceName,
} from '@troupe-services/pipeline';
import { SuiteSettings, runSuite } from './test-suite';
import { VERIFIER } from './settings';

/**
 * Each variable, its default and meaning: ./settings.ts (listed in docs/settings.md).
 */
export function loadSuiteSettings(env: Environment): SuiteSettings {
  return {
    durationMs: readDuration(env, VERIFIER.suiteDuration, { maxMs: 600_000 }),
    failMarker: readString(env, VERIFIER.failMarker),
    failureRate: readNumber(env, VERIFIER.failureRate, { min: 0, max: 1 }),
  };
}

/** ReleaseRequested → the release's test suite → TestsPassed or TestsFailed. */
export function verifierDefinition(settings: PipelineNames, suite: SuiteSettings) {
  const topic = settings.topics.releases;
  return defineService<EventTypes>()({
    name: serviceName('verifier', settings),
    dedup: true, // each event handled once per event id; ctx.once for effects
    topics: [topic],
    publishes: { [Events.TestsPassed]: topic, [Events.TestsFailed]: topic },
    consumes: {
      [Events.ReleaseRequested]: async (request, ctx) => {
        const result = await runSuite(request.version, suite, ctx.signal);
        const key = request.releaseId;
        const finishedAt = new Date();
        if (result.passed) {
          ctx.log.info(
            { releaseId: key, version: request.version, durationMs: result.durationMs },
            'tests passed',
          );
          await ctx.publish(
            Events.TestsPassed,
            {
              releaseId: key,
              service: request.service,
              version: request.version,
              passedTests: result.passedTests,
              durationMs: result.durationMs,
              finishedAt,
            },
            { key, id: releaseEventId(key, 'TestsPassed') },
          );
        } else {
          ctx.log.info(
            { releaseId: key, version: request.version, failedTests: result.failedTests },
            'tests failed',
          );
          await ctx.publish(
            Events.TestsFailed,
            {
              releaseId: key,
              service: request.service,
              version: request.version,
              reason: result.reason,
              failedTests: result.failedTests,
              finishedAt,
            },
            { key, id: releaseEventId(key, 'TestsFailed') },
          );
        }
      },
    },
  });
}

export interface RunningVerifier extends RunningService {
  readonly pipeline: PipelineService;
}

/** Starts the verifier in this process. `opsServer` serves /healthz, /readyz and /metrics on TROUPE_HTTP_PORT. */
export async function startVerifier(
  env: Environment = process.env,
  options: { opsServer?: boolean } = {},
): Promise<RunningVerifier> {
  const settings = loadPipelineSettings(env);
  const suite = loadSuiteSettings(env);
  const definition = verifierDefinition(settings, suite);
  // The suite runs inside the handler: its timeout must cover the suite, the lease the timeout.
  const handlerTimeoutMs = suite.durationMs + 30_000;
  const pipeline = createPipelineService(definition, settings, {
    opsServer: options.opsServer ?? false,
    handlerTimeoutMs,
    dedupLeaseMs: handlerTimeoutMs + 5_000,
  });
  await pipeline.service.start();
  return { name: definition.name, pipeline, stop: () => pipeline.stop() };
}
