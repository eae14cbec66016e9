#!/usr/bin/env node
/**
 * troupe-registry: runs the schema registry from environment variables.
 *
 *   TROUPE_KAFKA_BROKERS   required, host:port[,host:port…]
 *   TROUPE_KAFKA_*         the rest of the connection (TLS, SASL, client id, driver), read as
 *                          services read them, so the registry reaches a cluster exactly as they do
 *   TROUPE_REGISTRY_PORT   default 8081; 0 = any free port
 *   TROUPE_REGISTRY_HOST   default 127.0.0.1
 *   TROUPE_REGISTRY_TOPIC  default _schemas
 *   TROUPE_LOG_LEVEL       default info (logs are JSON lines on stderr)
 *
 * Once listening it prints one line on stdout, `TROUPE_SCHEMA_REGISTRY_URL=http://host:port`, for a
 * parent process to read. SIGTERM or SIGINT stops it cleanly (exit 0); a second signal exits at once.
 * Bad configuration prints one line naming the variable and exits 2; failing to start exits 1.
 */
import { ConfigError } from '@troupe/kit';
import pino from 'pino';
import { readEnvConfig, RegistryConfigError } from './config';
import { startRegistry, type RunningRegistry } from './index';

const CLOSE_TIMEOUT_MS = 15_000;

async function main(): Promise<void> {
  let config;
  try {
    config = readEnvConfig(process.env);
  } catch (error) {
    if (error instanceof RegistryConfigError || error instanceof ConfigError) {
      process.stderr.write(`troupe-registry: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const logger = pino(
    { level: config.logLevel, base: { service: 'troupe-registry' } },
    pino.destination(2),
  );
  let registry: RunningRegistry;
  try {
    registry = await startRegistry({ ...config, logger });
  } catch (error) {
    process.stderr.write(`troupe-registry: could not start: ${(error as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`TROUPE_SCHEMA_REGISTRY_URL=${registry.url}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`troupe-registry: ${signal} again, exiting without a clean stop\n`);
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => {
      process.stderr.write(
        `troupe-registry: did not stop within ${CLOSE_TIMEOUT_MS} ms, exiting\n`,
      );
      process.exit(1);
    }, CLOSE_TIMEOUT_MS);
    timer.unref();
    registry.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(
          `troupe-registry: error while stopping: ${(error as Error).message}\n`,
        );
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
