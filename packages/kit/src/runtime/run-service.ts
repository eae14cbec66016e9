import type { EventCodec } from '../codec/codec';
import { codecFromConfig, registryClientFromConfig } from '../codec/codec-from-config';
import type { SchemaRegistryClient } from '../codec/registry-client';
import { loadConfig, type TroupeConfig } from '../config/service-config';
import { createFailFastRedis } from '../dedup/redis-client';
import { RedisDedupStore } from '../dedup/store';
import { ConfigError, oneLineMessage } from '../errors';
import type { SchemaCatalog } from '../schemas/catalog';
import type { Redis } from 'ioredis';
import type { DedupDeclaration, EventMap, PublishMap, ServiceDefinition } from './define-service';
import { probeDependencies } from './dependency-probe';
import { probeRedis } from './store-probes';
import { stopOnSignals } from './lifecycle';
import { ServiceOptions, TroupeService, createService } from './service';

export type RunServiceOptions = Omit<ServiceOptions, 'codec' | 'config'> & {
  /** Defaults to loadConfig(process.env). */
  config?: TroupeConfig;
  /**
   * The schemas the service reads and writes (e.g. `contractsCatalog()`): the kit then builds the
   * Avro codec from TROUPE_SCHEMA_REGISTRY_URL and TROUPE_SUBJECT_STRATEGY. Give this or `codec`.
   */
  catalog?: SchemaCatalog;
  /** A codec of your own, or a function of the configuration returning one, instead of `catalog`. */
  codec?: EventCodec | ((config: TroupeConfig) => EventCodec);
  /**
   * How a start that failed ends. Default: one line `<service>: <reason>` on stderr, exit code 1.
   * (A definition that declares dedup without a `dedupStore` gets a RedisDedupStore on
   * TROUPE_REDIS_URL.)
   */
  onStartFailure?: (line: string, error: unknown) => void;
};

/**
 * The usual main(): `void runService(definition, { catalog: contractsCatalog() })`.
 *
 * Reads the configuration from TROUPE_* (a bad or missing setting names the variable and the
 * expected form), checks within TROUPE_CONNECT_TIMEOUT (10 s) that Kafka, the schema registry and
 * Redis (the ones it uses) answer, starts the service with its ops HTTP server on
 * TROUPE_HTTP_HOST:TROUPE_HTTP_PORT and stops it gracefully on SIGTERM/SIGINT. Any failure before
 * the service runs ends the process with one line on stderr and exit code 1, never a stack trace:
 * the returned promise settles only with a running service.
 */
export async function runService<
  E extends EventMap,
  P extends PublishMap<E>,
  D extends DedupDeclaration | undefined,
>(definition: ServiceDefinition<E, P, D>, options: RunServiceOptions = {}): Promise<TroupeService> {
  const { catalog, codec, onStartFailure = exitWithOneLine, ...serviceOptions } = options;
  let redis: Redis | undefined;
  try {
    const config = options.config ?? loadConfig();
    let registry: SchemaRegistryClient | undefined;
    let eventCodec: EventCodec;
    if (codec !== undefined) {
      if (catalog !== undefined) throw new Error('runService: give `catalog` or `codec`, not both');
      eventCodec = typeof codec === 'function' ? codec(config) : codec;
    } else if (catalog !== undefined) {
      eventCodec = codecFromConfig(config, catalog);
      registry = registryClientFromConfig(config);
    } else {
      throw new Error(
        'runService: give `catalog` (e.g. contractsCatalog(): the kit builds the Avro codec from TROUPE_SCHEMA_REGISTRY_URL) or `codec`',
      );
    }
    let dedupStore = serviceOptions.dedupStore;
    if (definition.dedup && !dedupStore) {
      if (!config.redis)
        throw new ConfigError(
          'TROUPE_REDIS_URL',
          `a redis:// URL (it is not set; service "${definition.name}" declares dedup and no dedupStore was given)`,
        );
      redis = createFailFastRedis(config.redis, { lazyConnect: true });
      dedupStore = new RedisDedupStore({ redis, service: definition.name });
    }
    await probeDependencies({
      config,
      clientId: definition.name,
      registry,
      stores:
        redis && config.redis ? [probeRedis(redis, config.redis, config.connectTimeoutMs)] : [],
      timeoutMs: config.connectTimeoutMs,
    });
    const service = createService(definition, {
      http: { port: config.http.port, host: config.http.host },
      ...serviceOptions,
      dedupStore,
      config,
      codec: eventCodec,
    });
    stopOnSignals(service);
    await service.start();
    return service;
  } catch (error) {
    redis?.disconnect();
    onStartFailure(`${definition.name}: ${oneLineMessage(error)}`, error);
    throw error;
  }
}

function exitWithOneLine(line: string): never {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}
