import { createLogger } from '@troupe/kit';

/** A started service, however many parts it has (consumer, HTTP API, relay, timers). */
export interface RunningService {
  readonly name: string;
  /** Drains in-flight work, then closes every connection; safe to call twice. */
  stop(): Promise<void>;
}

export interface ProcessOptions {
  /** Exit if stopping takes longer than this. Default 30 s. */
  stopDeadlineMs?: number;
}

/**
 * The body of every service's main.ts: starts the service from the environment, stops it
 * gracefully on SIGTERM or SIGINT (exit 0, or 1 if stopping failed or overran its deadline); a
 * second signal exits at once. A start failure (bad config, unreachable broker) exits 1 with one
 * JSON log line saying why.
 */
export function runAsProcess(
  name: string,
  start: (env: NodeJS.ProcessEnv) => Promise<RunningService>,
  options: ProcessOptions = {},
): void {
  const log = createLogger({
    service: name,
    level: process.env.TROUPE_LOG_LEVEL === 'silent' ? 'silent' : 'info',
  });
  const deadlineMs = options.stopDeadlineMs ?? 30_000;
  let running: RunningService | undefined;
  let stopping = false;

  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'signal received: stopping');
    const overran = setTimeout(() => {
      log.error({ deadlineMs }, 'stop deadline passed: exiting');
      process.exit(1);
    }, deadlineMs);
    overran.unref();
    void (running?.stop() ?? Promise.resolve()).then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  start(process.env).then(
    (service) => {
      running = service;
      log.info('running');
      if (stopping) void service.stop().finally(() => process.exit(0));
    },
    (error: unknown) => {
      log.fatal({ err: error }, 'could not start');
      process.exit(1);
    },
  );
}
