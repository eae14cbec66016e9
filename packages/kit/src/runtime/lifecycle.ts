import type { EventCodec } from '../codec/codec';
import { loadConfig } from '../config/service-config';
import type { DedupDeclaration, EventMap, PublishMap, ServiceDefinition } from './define-service';
import { ServiceOptions, TroupeService, createService } from './service';

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

/**
 * The usual main(): config from the environment (ConfigError at once if invalid), start the
 * service with its ops HTTP server on TROUPE_HTTP_PORT, stop gracefully on SIGTERM/SIGINT.
 */
export async function runService<
  E extends EventMap,
  P extends PublishMap<E>,
  D extends DedupDeclaration | undefined,
>(
  definition: ServiceDefinition<E, P, D>,
  options: Omit<ServiceOptions, 'codec'> & {
    codec: EventCodec | ((config: ReturnType<typeof loadConfig>) => EventCodec);
  },
): Promise<TroupeService> {
  const config = options.config ?? loadConfig();
  const codec = typeof options.codec === 'function' ? options.codec(config) : options.codec;
  const service = createService(definition, {
    http: { port: config.http.port, host: config.http.host },
    ...options,
    config,
    codec,
  });
  stopOnSignals(service);
  await service.start();
  return service;
}
