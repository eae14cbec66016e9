import { AlertRaised, Events, EventTypes } from '@troupe/contracts';
import { Environment, HandlerContext, defineService } from '@troupe/kit';
import {
  PipelineService,
  PipelineNames,
  RunningService,
  createPipelineService,
  loadPipelineSettings,
  readDuration,
  readOptionalString,
  serviceName,
} from '@troupe-services/pipeline';
import { AlertDraft, canaryDegradedAlert, rolledBackAlert, testsFailedAlert } from './alerts';
import { postAlert } from './webhook';
import { NOTIFIER } from './settings';

export interface NotifierSettings {
  webhookUrl?: string;
  webhookTimeoutMs: number;
}

/**
 * Each variable, its default and meaning: ./settings.ts (listed in docs/settings.md).
 */
export function loadNotifierSettings(env: Environment): NotifierSettings {
  return {
    webhookUrl: readOptionalString(env, NOTIFIER.webhookUrl),
    webhookTimeoutMs: readDuration(env, NOTIFIER.webhookTimeout, {
      minMs: 10,
      maxMs: 60_000,
    }),
  };
}

/** TestsFailed, CanaryDegraded, RolledBack → one `alert` log line, the webhook (if set) and AlertRaised. */
export function notifierDefinition(settings: PipelineNames, notifier: NotifierSettings) {
  const name = serviceName('notifier', settings);
  const dependsOn = notifier.webhookUrl ? ['webhook'] : [];

  async function raise(
    draft: AlertDraft,
    ctx: HandlerContext<EventTypes, { [Events.AlertRaised]: string }, true>,
  ): Promise<void> {
    // One alert per causing event: its id is derived from the event's, so a redelivery repeats it exactly.
    const alert: AlertRaised = {
      ...draft,
      alertId: `${ctx.metadata.id}.alert`,
      raisedAt: new Date(ctx.metadata.time),
    };
    ctx.log.info({ alert: { ...alert, raisedAt: alert.raisedAt.toISOString() } }, 'alert');
    const url = notifier.webhookUrl;
    if (url) {
      await ctx.once(`webhook:${alert.alertId}`, () =>
        ctx
          .breaker('webhook')
          .run(() => postAlert(url, alert, notifier.webhookTimeoutMs, ctx.signal)),
      );
    }
    await ctx.publish(Events.AlertRaised, alert, { key: alert.releaseId, id: alert.alertId });
  }

  return defineService<EventTypes>()({
    name,
    dedup: true, // each event handled once per event id; ctx.once for effects
    topics: [settings.topics.releases],
    publishes: { [Events.AlertRaised]: settings.topics.alerts },
    consumes: {
      [Events.TestsFailed]: {
        dependsOn,
        handle: (event, ctx) => raise(testsFailedAlert(event), ctx),
      },
      [Events.CanaryDegraded]: {
        dependsOn,
        handle: (event, ctx) => raise(canaryDegradedAlert(event), ctx),
      },
      [Events.RolledBack]: {
        dependsOn,
        handle: (event, ctx) => raise(rolledBackAlert(event), ctx),
      },
    },
  });
}

export interface RunningNotifier extends RunningService {
  readonly pipeline: PipelineService;
}

export async function startNotifier(
  env: Environment = process.env,
  options: { opsServer?: boolean } = {},
): Promise<RunningNotifier> {
  const settings = loadPipelineSettings(env);
  const definition = notifierDefinition(settings, loadNotifierSettings(env));
  const pipeline = createPipelineService(definition, settings, {
    opsServer: options.opsServer ?? false,
    handlerTimeoutMs: 10_000,
    dedupLeaseMs: 15_000,
  });
  await pipeline.service.start();
  return { name: definition.name, pipeline, stop: () => pipeline.stop() };
}
