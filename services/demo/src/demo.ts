import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Topics } from '@troupe/contracts';
import {
  createFailFastRedis,
  createKafkaDriver,
  loadDatabaseConnection,
  registryClientFromConfig,
} from '@troupe/kit';
import {
  PipelineTopics,
  RedisTrafficRouter,
  createPipelineCodec,
  loadPipelineSettings,
  quitRedis,
  serviceName,
} from '@troupe-services/pipeline';
import { CleanupStack } from './cleanup';
import { groupCaughtUp } from './group-lag';
import { PipelineLauncher, SERVICE_NAMES, ServiceName } from './launcher';
import { EventObserver } from './observer';
import { createPipelineTopics, registerPipelineSchemas } from './provision';
import { recoverySummary, timeline } from './report';
import { removeRunData } from './run-cleanup';
import { ScenarioOutcome, Scenarios } from './scenarios';
import { DemoStack, ensureStack } from './stack';

export interface DemoOptions {
  /** TROUPE_* settings: the stack to use (else one is started) and tuning the services honour. */
  env: NodeJS.ProcessEnv;
  /** Repository root. */
  root: string;
  /** How many times the spike scenario runs (its recovery times give the median). Default 5. */
  spikeRuns?: number;
  /** Which scenarios to play. Default: all. */
  scenarios?: {
    healthy?: boolean;
    failingTests?: boolean;
    spikes?: boolean;
    killDuringSpike?: boolean;
    crashAfterRouter?: boolean;
    crashAfterPublish?: boolean;
  };
  /** Services to run in this process (tests); the rest run as child processes. Default none. */
  inProcess?: readonly ServiceName[];
  /** Progress lines. */
  log: (line: string) => void;
  /** The report. */
  out: (line: string) => void;
  /** Keep the services' log files (their path is printed). */
  keepLogs?: boolean;
  /**
   * Leave the stack and this run's topics up (the services still stop) and print the
   * `troupe trace` command for a rolled-back release's flow.
   */
  keep?: boolean;
  /**
   * Run on the secured local stack: Kafka over SASL_SSL, the registry over HTTPS with basic
   * authentication, Redis and PostgreSQL over TLS with passwords (see ensureStack).
   */
  secure?: boolean;
  /** Released on interruption too. */
  cleanup?: CleanupStack;
}

export interface DemoResult {
  ok: boolean;
  outcomes: ScenarioOutcome[];
  /** Recovery times of the timed spike runs and their median (ms). */
  recoveriesMs: number[];
  medianRecoveryMs: number;
  startupMs: number;
}

/**
 * The demo: stack, topics and schemas, the seven services, then the scenarios, judged from the
 * events on the topics; prints each release's timeline and the recovery times; stops and removes
 * everything it started.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const { log, out } = options;
  const cleanup = options.cleanup ?? new CleanupStack();
  try {
    const stack = await ensureStack(options.env, log, options.keep, options.secure);
    cleanup.add('stop the local stack', () => stack.stop());
    const run = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
    // On a stack of its own the demo uses the real names; on a shared one, names of its own.
    const topics: PipelineTopics = stack.owned
      ? {
          releases: Topics.releasesEvents,
          samples: Topics.telemetrySamples,
          alerts: Topics.alertsEvents,
        }
      : {
          releases: `${Topics.releasesEvents}.demo-${run}`,
          samples: `${Topics.telemetrySamples}.demo-${run}`,
          alerts: `${Topics.alertsEvents}.demo-${run}`,
        };
    const namespace = stack.owned ? 'demo' : `demo-${run}`;
    const dbSchema = stack.owned ? 'releases' : `releases_demo_${run}`;

    const env = serviceEnvironment(options.env, { ...stack.settings }, topics, namespace, dbSchema);
    const settings = loadPipelineSettings(env);
    // The demo's own reads and writes reach the cluster with the settings the services get.
    const kafka = createKafkaDriver(settings.kit.kafka, { clientId: 'troupe-demo' });
    const created = await createPipelineTopics(kafka, topics, settings.kit.retry.topicDelaysMs);
    const subjects = await registerPipelineSchemas(registryClientFromConfig(settings.kit), topics);
    log(
      `topics ${Object.values(topics).join(', ')} ready (${created.length} created, retry and dead-letter topics included); ${subjects} schema subjects registered`,
    );
    const redis = createFailFastRedis(settings.redis);
    cleanup.add('close Redis', () => quitRedis(redis));
    if (!stack.owned && !options.keep) {
      cleanup.add('remove the run’s topics, schema and keys', () =>
        removeRunData({
          kafka,
          database: loadDatabaseConnection(env),
          dbSchema,
          redis,
          redisPrefix: settings.redisPrefix,
          topics,
        }),
      );
    }

    const logDir = mkdtempSync(path.join(os.tmpdir(), 'troupe-demo-logs-'));
    cleanup.add('remove the service logs', async () => {
      if (options.keepLogs) log(`service logs kept in ${logDir}`);
      else rmSync(logDir, { recursive: true, force: true });
    });
    const launcher = new PipelineLauncher({
      env,
      root: options.root,
      inProcess: options.inProcess,
      logDir,
    });
    cleanup.add('stop the services', () => launcher.stopAll());
    const observer = new EventObserver(
      kafka,
      [topics.releases, topics.alerts],
      createPipelineCodec(settings.kit, false),
    );
    cleanup.add('stop the observer', () => observer.stop());

    const started = Date.now();
    log(
      `starting ${SERVICE_NAMES.join(', ')}${options.inProcess?.length ? ` (in this process: ${options.inProcess.join(', ')})` : ' as separate processes'}…`,
    );
    try {
      const starting = [launcher.startAll(), observer.start()];
      await Promise.all(starting).catch(async (error: unknown) => {
        // Both are let finish before the cleanup runs, so that it stops whatever did start.
        await Promise.allSettled(starting);
        throw error;
      });
    } catch (error) {
      for (const name of SERVICE_NAMES) printTail(out, launcher.logFile(name));
      throw error;
    }
    const startupMs = Date.now() - started;
    log(
      `services ready in ${(startupMs / 1000).toFixed(1)} s (pids ${SERVICE_NAMES.map((n) => `${n} ${launcher.pid(n) ?? 'in-process'}`).join(', ')})`,
    );

    const scenarios = new Scenarios({
      launcher,
      observer,
      router: new RedisTrafficRouter(redis, settings.redisPrefix),
      endTimeoutMs: 60_000,
      settleMs: 1_500,
      rollbackCaughtUp: () =>
        groupCaughtUp(kafka, serviceName('rollback', settings), topics.releases, 60_000),
      log,
    });
    const which = {
      healthy: true,
      failingTests: true,
      spikes: true,
      killDuringSpike: true,
      crashAfterRouter: true,
      crashAfterPublish: true,
      ...options.scenarios,
    };
    const outcomes: ScenarioOutcome[] = [];
    try {
      if (which.healthy) outcomes.push(await scenarios.healthyRelease());
      if (which.failingTests) outcomes.push(await scenarios.failingTests());
      if (which.spikes)
        for (let i = 1; i <= (options.spikeRuns ?? 5); i++) outcomes.push(await scenarios.spike(i));
      if (which.killDuringSpike) outcomes.push(await scenarios.rollbackKilledDuringSpike());
      if (which.crashAfterRouter) outcomes.push(await scenarios.rollbackCrashes('after-router'));
      if (which.crashAfterPublish) outcomes.push(await scenarios.rollbackCrashes('after-publish'));
    } catch (error) {
      log(`scenarios stopped: ${(error as Error).message}`);
    }

    out('');
    out(
      'Timelines (read back from the topics, grouped by correlation id; times relative to ReleaseRequested)',
    );
    outcomes.forEach((outcome, i) => {
      const events = outcome.correlationId
        ? observer.ofFlow(outcome.correlationId)
        : observer.ofRelease(outcome.releaseId);
      out('');
      for (const line of timeline(outcome, events, i + 1)) out(line);
    });
    const summary = recoverySummary(outcomes);
    out('');
    for (const line of summary.lines) out(line);
    const ok = outcomes.length > 0 && outcomes.every((o) => o.ok);
    out('');
    out(
      `${outcomes.filter((o) => o.ok).length} of ${outcomes.length} scenarios reached their expected end: ${ok ? 'OK' : 'FAILED'}`,
    );
    if (!ok) for (const name of SERVICE_NAMES) printTail(out, launcher.logFile(name));
    if (options.keep) for (const line of howToTrace(outcomes, topics, stack)) out(line);
    return {
      ok,
      outcomes,
      recoveriesMs: summary.timedMs,
      medianRecoveryMs: summary.medianMs,
      startupMs,
    };
  } finally {
    const failures = await cleanup.release();
    for (const failure of failures) log(`cleanup: ${failure}`);
  }
}

/** The environment every service process gets: the stack, this run's names and demo tuning; TROUPE_* the user set win over the tuning. */
function serviceEnvironment(
  userEnv: NodeJS.ProcessEnv,
  stack: Record<string, string>,
  topics: PipelineTopics,
  namespace: string,
  dbSchema: string,
): Record<string, string> {
  const tuning: Record<string, string> = {
    TROUPE_LOG_LEVEL: 'info',
    TROUPE_SCHEMAS_AUTO_REGISTER: 'false',
    TROUPE_CONSUMER_MAX_WAIT: '100ms',
    TROUPE_CONSUMER_SESSION_TIMEOUT: '6s',
    TROUPE_RETRY_TOPIC_DELAYS: '1s,5s',
    TROUPE_SHUTDOWN_TIMEOUT: '5s',
    TROUPE_VERIFIER_SUITE_DURATION: '300ms',
    TROUPE_CANARY_OBSERVATION: '4s',
    TROUPE_TELEMETRY_INTERVAL: '100ms',
    TROUPE_TELEMETRY_SPIKE_DELAY: '1s',
  };
  const fromUser = Object.fromEntries(
    Object.entries(userEnv).filter(
      (entry): entry is [string, string] =>
        entry[0].startsWith('TROUPE_') && entry[1] !== undefined,
    ),
  );
  return {
    ...tuning,
    ...fromUser,
    ...stack,
    TROUPE_RELEASES_TOPIC: topics.releases,
    TROUPE_SAMPLES_TOPIC: topics.samples,
    TROUPE_ALERTS_TOPIC: topics.alerts,
    TROUPE_PIPELINE_NAMESPACE: namespace,
    TROUPE_RELEASES_DB_SCHEMA: dbSchema,
  };
}

function printTail(out: (line: string) => void, file: string): void {
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n').slice(-15);
  out(`--- last lines of ${path.basename(file)}`);
  for (const line of lines) out(line);
}

/** What `--keep` prints: the stack and topics left up, and the trace of a rolled-back flow. */
function howToTrace(
  outcomes: readonly ScenarioOutcome[],
  topics: PipelineTopics,
  stack: DemoStack,
): string[] {
  const rolledBack = outcomes.find((o) => o.expected === 'RolledBack' && o.correlationId);
  const realNames = topics.releases === Topics.releasesEvents;
  const topicFlag = realNames ? '' : ` --topics ${[topics.releases, topics.alerts].join(',')}`; // trace adds their retry and dead-letter topics
  const lines = ['', `kept: the stack and the topics ${Object.values(topics).join(', ')}`];
  if (rolledBack) {
    lines.push(`trace the flow of release ${rolledBack.releaseId}, rolled back:`);
    const shell = stack.reachWith ? `${stack.reachWith} && ` : '';
    lines.push(`  ${shell}npx troupe trace ${rolledBack.correlationId}${topicFlag}`);
  }
  if (stack.reachWith) lines.push('stop the stack with: npm run stack:down');
  return lines;
}
