/**
 * @troupe/registry: A Confluent-compatible Avro schema registry whose state lives in a compacted Kafka topic.
 *
 * @packageDocumentation
 * @module @troupe/registry
 */
import type { AddressInfo } from 'node:net';
import type { KafkaConnection, KafkaDriver } from '@troupe/kit';
import pino, { type Logger } from 'pino';
import {
  DEFAULT_HOST,
  DEFAULT_TOPIC,
  parseHost,
  parsePort,
  parseTopic,
  RegistryConfigError,
} from './config';
import { CredentialCheck } from './auth/credentials';
import type { RegistryUser } from './auth/users-file';
import { buildHttpServer } from './http/server';
import { RegistryService } from './registry-service';
import { KafkaLog } from './store/kafka-log';
import { decodeEntry } from './store/log-records';
import { registryDriver } from './store/registry-driver';
import { SchemaStore } from './store/schema-store';

export { RegistryConfigError } from './config';
export { RegistryError } from './errors';
export { COMPATIBILITY_LEVELS, type CompatibilityLevel } from './compatibility';
export { REGISTRY_ROLES, type RegistryRole, type RegistryUser } from './auth/users-file';

/** What startRegistry needs: the cluster, and optionally where to listen and which topic to keep. */
export interface RegistryOptions {
  /**
   * The cluster: connection settings, as services read them (loadKafkaConnection: brokers, TLS,
   * SASL, driver), from which the registry makes its own client; or a driver you made, used as it is.
   */
  readonly kafka: KafkaConnection | KafkaDriver;
  /** Port to listen on; 0 (the default) picks a free one. */
  readonly port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host?: string;
  /** Compacted topic holding the registry's state. Default `_schemas`. */
  readonly topic?: string;
  /** Default: pino at TROUPE_LOG_LEVEL, else `warn`. */
  readonly logger?: Logger;
  /** Largest request body; larger ones get 413. Default 1 MiB. */
  readonly bodyLimitBytes?: number;
  /** Longest wait for Kafka in one operation (catch-up, write read-back). Default 10 s. */
  readonly operationTimeoutMs?: number;
  /**
   * HTTP basic authentication: only these accounts get in (401 otherwise), read-only ones for
   * reads only (403 for a register, a config change or a delete). Omitted: no authentication.
   */
  readonly users?: readonly RegistryUser[];
  /** PEM certificate (chain) and unencrypted key: the registry serves HTTPS. Omitted: HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

/** A registry startRegistry started: where it listens, and how to stop it. */
export interface RunningRegistry {
  /** Base URL, e.g. `http://127.0.0.1:43121` (`https://` with `tls`). */
  readonly url: string;
  /** The port it listens on (the free one chosen when asked for 0). */
  readonly port: number;
  /** Stops accepting requests, finishes those in flight, then disconnects from Kafka. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts a Confluent-compatible (Avro) schema registry whose state lives in a compacted Kafka topic.
 * Resolves once the state has been rebuilt from the topic and the HTTP server is listening.
 * Several instances may share a topic: they agree on ids and versions (see registry-service.ts).
 */
export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const port = parsePort('port', options.port ?? 0);
  const host = parseHost('host', options.host ?? DEFAULT_HOST);
  const topic = parseTopic('topic', options.topic ?? DEFAULT_TOPIC);
  const bodyLimitBytes = options.bodyLimitBytes ?? 1024 * 1024;
  if (!Number.isInteger(bodyLimitBytes) || bodyLimitBytes < 1024) {
    throw new RegistryConfigError('bodyLimitBytes', 'an integer of at least 1024', bodyLimitBytes);
  }
  if (options.users !== undefined && options.users.length === 0)
    throw new RegistryConfigError('users', 'at least one account when given');
  if (options.tls !== undefined && (!options.tls.cert || !options.tls.key))
    throw new RegistryConfigError('tls', 'both cert and key (PEM text)');
  const baseLogger = options.logger ?? defaultLogger();
  const logger = baseLogger.child({ component: 'registry', topic });

  const store = new SchemaStore();
  const driver = registryDriver(options.kafka, baseLogger.child({ topic }));
  const log = await KafkaLog.open(
    { driver, topic, logger, operationTimeoutMs: options.operationTimeoutMs },
    (key, value, offset) => {
      const entry = decodeEntry(key, value);
      if ('invalid' in entry) {
        logger.warn(
          { offset, reason: entry.invalid },
          'skipped a record that is not a registry record',
        );
        return 'ignored';
      }
      return store.apply(entry);
    },
  );

  const app = buildHttpServer({
    service: new RegistryService(store, log, logger),
    logger: baseLogger.child({ component: 'http' }),
    bodyLimitBytes,
    ...(options.users ? { credentials: new CredentialCheck(options.users) } : {}),
    ...(options.tls ? { tls: options.tls } : {}),
  });
  try {
    await app.listen({ port, host });
  } catch (error) {
    await log.close();
    throw error;
  }
  const address = app.server.address() as AddressInfo;
  const urlHost = reachableHost(address);
  const url = `${options.tls ? 'https' : 'http'}://${urlHost}:${address.port}`;
  logger.info(
    { url, authentication: options.users ? 'basic' : 'none' },
    'schema registry listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    port: address.port,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await log.close();
      })()),
  };
}

/** The address clients should use: a wildcard listen address is reached through loopback. */
function reachableHost(address: AddressInfo): string {
  if (address.address === '0.0.0.0') return '127.0.0.1';
  if (address.address === '::') return '[::1]';
  return address.family === 'IPv6' ? `[${address.address}]` : address.address;
}

function defaultLogger(): Logger {
  const level = process.env.TROUPE_LOG_LEVEL?.trim() || 'warn';
  return pino({
    level: pino.levels.values[level] !== undefined || level === 'silent' ? level : 'warn',
  });
}
