import { Events } from '@troupe/contracts';
import {
  Environment,
  OutgoingEvent,
  Publisher,
  createFailFastRedis,
  createKafkaDriver,
  createLogger,
} from '@troupe/kit';
import {
  RedisTrafficRouter,
  RunningService,
  createPipelineCodec,
  loadPipelineSettings,
  quitRedis,
  readDuration,
  readNumber,
  readString,
  serviceName,
} from '@troupe-services/pipeline';
import { TELEMETRY } from './settings';
import type { Logger } from 'pino';
import { ControlServer, ControlState, startControlServer } from './control-server';
import { TrafficSettings, loadsOf, simulateWindow } from './traffic-model';

export interface TelemetrySettings extends TrafficSettings {
  /** Length of one sample window; one RequestSamples per version per window. */
  intervalMs: number;
}

/**
 * Each variable, its default and meaning: ./settings.ts (listed in docs/settings.md).
 * The control endpoint (GET/POST/DELETE /spikes, /healthz, /readyz) listens on TROUPE_HTTP_PORT.
 */
export function loadTelemetrySettings(env: Environment): TelemetrySettings {
  return {
    intervalMs: readDuration(env, TELEMETRY.interval, { minMs: 10, maxMs: 60_000 }),
    requestsPerSecond: readNumber(env, TELEMETRY.rps, { min: 1, max: 1_000_000 }),
    baseErrorRate: readNumber(env, TELEMETRY.errorRate, { min: 0, max: 1 }),
    spikeErrorRate: readNumber(env, TELEMETRY.spikeErrorRate, { min: 0, max: 1 }),
    spikeMarker: readString(env, TELEMETRY.spikeMarker),
    spikeDelayMs: readDuration(env, TELEMETRY.spikeDelay, { maxMs: 3_600_000 }),
  };
}

export interface RunningTelemetry extends RunningService {
  readonly control?: ControlServer;
  readonly state: ControlState;
}

/**
 * The traffic simulator: every window, reads each routed service's split from the router, draws
 * the window's requests and errors per version, and publishes one RequestSamples per version
 * (keyed by service). Canary samples carry their release's id and correlation id, and are
 * published in the trace context the canary stored in the router at its start, so with an
 * OpenTelemetry SDK their send spans are children of the canary's processing span and the
 * watchdog's handling joins the release's trace; samples of the stable version are not part of it.
 */
export async function startTelemetry(
  env: Environment = process.env,
  options: { controlServer?: boolean } = {},
): Promise<RunningTelemetry> {
  const settings = loadPipelineSettings(env);
  const telemetry = loadTelemetrySettings(env);
  const name = serviceName('telemetry', settings);
  const logger = createLogger({
    service: name,
    level: settings.kit.logLevel,
    instanceId: settings.kit.instanceId,
  });
  const redis = createFailFastRedis(settings.redis, {
    onError: (error) => logger.warn({ err: error }, 'redis'),
  });
  const router = new RedisTrafficRouter(redis, settings.redisPrefix);
  const kafka = createKafkaDriver(settings.kit.kafka, { clientId: name, logger });
  const publisher = new Publisher({
    kafka,
    codec: createPipelineCodec(settings.kit, settings.autoRegisterSchemas),
    source: name,
    logger,
    sendTimeoutMs: 5_000,
  });
  await publisher.connect();

  let published = 0;
  const state: ControlState = { injected: [], starts: [], ready: () => published > 0 };
  const loop = new SampleLoop(
    telemetry,
    async (windowStart) => {
      const routes = await router.routes();
      const events: OutgoingEvent[] = [];
      const now = Date.now();
      state.injected.splice(
        0,
        state.injected.length,
        ...state.injected.filter((s) => s.until === undefined || s.until > now),
      );
      for (const route of routes) {
        const samples = simulateWindow(
          route.service,
          loadsOf(route, windowStart, telemetry, state.injected),
          { start: windowStart, durationMs: telemetry.intervalMs },
          telemetry,
        );
        for (const { correlationId, traceparent, spiking, ...sample } of samples) {
          if (spiking)
            recordSpikeStart(
              state,
              sample.service,
              sample.version,
              sample.releaseId,
              windowStart,
              logger,
            );
          events.push({
            type: Events.RequestSamples,
            topic: settings.topics.samples,
            key: sample.service,
            payload: sample,
            correlationId,
            // A canary's samples continue the release's trace; the stable version's each start one.
            traceparent,
          });
        }
      }
      if (events.length > 0) await publisher.publishMany(events);
      published++;
    },
    logger,
  );

  let control: ControlServer | undefined;
  try {
    if (options.controlServer)
      control = await startControlServer(settings.kit.http.port, settings.kit.http.host, state);
  } catch (error) {
    await publisher.disconnect();
    await quitRedis(redis);
    throw error;
  }
  loop.start();
  logger.info(
    { intervalMs: telemetry.intervalMs, controlPort: control?.port },
    'telemetry simulator started',
  );
  let stopped: Promise<void> | undefined;
  return {
    name,
    control,
    state,
    stop: () =>
      (stopped ??= (async () => {
        await loop.stop();
        await control?.close();
        await publisher.disconnect();
        await quitRedis(redis);
      })()),
  };
}

function recordSpikeStart(
  state: ControlState,
  service: string,
  version: string,
  releaseId: string | null,
  windowStart: number,
  logger: Logger,
): void {
  if (
    state.starts.some(
      (s) => s.service === service && s.version === version && s.releaseId === releaseId,
    )
  )
    return;
  const start = {
    service,
    version,
    releaseId,
    firstBadWindowStart: new Date(windowStart).toISOString(),
  };
  state.starts.push(start);
  if (state.starts.length > 1_000) state.starts.shift();
  logger.info(start, 'error spike began');
}

/**
 * Calls `emit(windowStart)` at the end of every window, windows aligned to the interval. A slow
 * emit skips the windows it overran (logged) rather than piling them up.
 */
class SampleLoop {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly settings: { intervalMs: number },
    private readonly emit: (windowStart: number) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.next();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }

  private next(): void {
    if (this.stopped) return;
    const interval = this.settings.intervalMs;
    const windowStart = Math.floor(Date.now() / interval) * interval;
    this.timer = setTimeout(
      () => {
        const skipped = Math.floor((Date.now() - windowStart) / interval) - 1;
        if (skipped > 0)
          this.logger.warn(
            { skipped },
            'sample windows skipped: publishing is slower than the interval',
          );
        this.current = this.emit(windowStart)
          .catch((error: unknown) => this.logger.warn({ err: error }, 'could not publish samples'))
          .finally(() => {
            this.current = undefined;
            this.next();
          });
      },
      windowStart + interval - Date.now(),
    );
  }
}
