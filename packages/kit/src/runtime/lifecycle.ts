import type { TroupeService } from './service';

/**
 * Stops the service on SIGTERM or SIGINT (drain, commit, disconnect within the shutdown
 * timeout), then exits: 0 after a clean stop, 1 if stopping failed. A second signal exits at once.
 * Returns a function that removes the handlers.
 */
export function stopOnSignals(
  service: TroupeService,
  options: { signals?: NodeJS.Signals[]; exit?: (code: number) => void } = {},
): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      service.logger.warn({ signal }, 'second signal: exiting without waiting');
      exit(1);
      return;
    }
    stopping = true;
    service.logger.info({ signal }, 'signal received: stopping');
    service.stop().then(
      () => exit(0),
      (error: unknown) => {
        service.logger.error({ err: error }, 'stop failed');
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
