import { Events, EventTypes, ReleaseRequested } from '@troupe/contracts';
import {
  Environment,
  OutboxRelay,
  OutgoingEvent,
  DatabaseConnection,
  createKafkaDriver,
  defineService,
  loadDatabaseConnection,
  probeDatabase,
  registerOutboxMetrics,
  toMessage,
} from '@troupe/kit';
import {
  PipelineService,
  PipelineNames,
  RunningService,
  createPipelineCodec,
  createPipelineService,
  loadPipelineSettings,
  readNumber,
  readString,
  releaseEventId,
  serviceName,
} from '@troupe-services/pipeline';
import { RELEASES } from './settings';
import { readBearerToken } from './bearer-auth';
import { Pool } from 'pg';
import { ReleaseApi, startReleaseApi } from './api';
import { RELEASE_EVENT_TYPES, ReleaseEvent } from './projection';
import { ReleaseStore } from './release-store';

export interface ReleasesSettings {
  /** TROUPE_DATABASE_URL, _PASSWORD and _SSL_CA_FILE, as the kit reads them; spread into pg's Pool. */
  database: DatabaseConnection;
  /** PostgreSQL schema of the releases and outbox tables. */
  dbSchema: string;
  apiPort: number;
  apiHost: string;
  /** The release API's bearer token; undefined: no authentication. Never log it. */
  apiToken?: string;
}

/**
 * Each variable, its default and meaning: ./settings.ts (listed in docs/settings.md).
 */
export function loadReleasesSettings(env: Environment): ReleasesSettings {
  return {
    database: loadDatabaseConnection(env),
    dbSchema: readString(env, RELEASES.dbSchema),
    apiPort: readNumber(env, RELEASES.apiPort, {
      min: 0,
      max: 65_535,
      integer: true,
    }),
    apiHost: readString(env, RELEASES.apiHost),
    apiToken: readBearerToken(env, RELEASES.apiToken),
  };
}

/** Every release event → the release's row (the projection behind GET /releases/:id). */
export function releasesDefinition(settings: PipelineNames, store: ReleaseStore) {
  const project = async (event: ReleaseEvent): Promise<void> => {
    await store.apply(event);
  };
  const consumes = Object.fromEntries(
    RELEASE_EVENT_TYPES.map((type) => [
      type,
      (payload: unknown, ctx: { metadata: { id: string; time: string } }) =>
        project({
          type,
          payload,
          eventId: ctx.metadata.id,
          time: ctx.metadata.time,
        } as ReleaseEvent),
    ]),
  );
  return defineService<EventTypes>()({
    name: serviceName('releases', settings),
    dedup: true, // each event handled once per event id; ctx.once for effects
    topics: [settings.topics.releases],
    startFrom: 'earliest', // a projection: a new instance builds its state from the whole topic
    consumes,
  });
}

export interface RunningReleases extends RunningService {
  readonly pipeline: PipelineService;
  readonly api: ReleaseApi;
  readonly store: ReleaseStore;
}

/**
 * The releases service: the HTTP API, the projection consumer and the outbox relay, in one process.
 * POST /releases writes the release and its ReleaseRequested into PostgreSQL in one transaction;
 * the relay (LISTEN/NOTIFY, polling as a fallback) publishes the event after commit. The ops
 * server's /metrics (opsServer) carries the outbox gauges: troupe_outbox_pending,
 * troupe_outbox_oldest_unsent_age_seconds and troupe_outbox_failing.
 */
export async function startReleases(
  env: Environment = process.env,
  options: { opsServer?: boolean } = {},
): Promise<RunningReleases> {
  const settings = loadPipelineSettings(env);
  const releases = loadReleasesSettings(env);
  const name = serviceName('releases', settings);
  const codec = createPipelineCodec(settings.kit, settings.autoRegisterSchemas);
  // A wrong password or an untrusted certificate is one line naming the setting, within the
  // connect timeout, rather than whatever the first migration query fails with.
  await probeDatabase(releases.database, settings.kit.connectTimeoutMs);
  const pool = new Pool({
    ...releases.database,
    max: 10,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 10_000,
    query_timeout: 15_000,
  });
  // A connection that breaks while idle in the pool (PostgreSQL restarted) is reported on the pool,
  // where no listener would make it an uncaught exception; the pool replaces it on its own.
  const idleErrors: { log?: (error: Error) => void } = {};
  pool.on('error', (error) => idleErrors.log?.(error));
  const store = new ReleaseStore(pool, releases.dbSchema, (event) => toMessage(event, codec, name));
  const parts: {
    pipeline?: PipelineService;
    relay?: OutboxRelay;
    api?: ReleaseApi;
  } = {};
  const stop = async () => {
    await parts.api?.close();
    await parts.relay?.stop();
    await parts.pipeline?.stop();
    await pool.end();
  };
  try {
    await store.migrate();
    parts.pipeline = createPipelineService(releasesDefinition(settings, store), settings, {
      opsServer: options.opsServer ?? false,
      handlerTimeoutMs: 10_000,
      dedupLeaseMs: 15_000,
    });
    const { service } = parts.pipeline;
    const logger = service.logger;
    idleErrors.log = (error) => logger.warn({ err: error }, 'an idle PostgreSQL connection broke');
    // The relay makes, connects (at start) and closes its producer: idempotent, acks=all, never
    // creating a topic, with the murmur2 partitioner the kit's Publisher uses too.
    parts.relay = new OutboxRelay({
      outbox: store.outbox,
      pool,
      kafka: createKafkaDriver(settings.kit.kafka, { clientId: `${name}-relay`, logger }),
      pollIntervalMs: 500,
      onError: (error) => logger.warn({ err: error }, 'outbox relay'),
    });
    // On the service's /metrics: the backlog, its oldest row's age and the rows Kafka refused are
    // how a stopped relay or a stuck release shows before anyone misses an event.
    registerOutboxMetrics(parts.relay, {
      name: `${store.outbox.table.schema}.${store.outbox.table.table}`,
      registry: service.metrics.registry,
      onError: (error) => logger.warn({ err: error }, 'outbox metrics'),
    });
    await parts.relay.start();
    await service.start();
    const requestEvent = (request: ReleaseRequested): OutgoingEvent => ({
      type: Events.ReleaseRequested,
      topic: settings.topics.releases,
      key: request.releaseId,
      id: releaseEventId(request.releaseId, 'ReleaseRequested'),
      payload: request,
    });
    parts.api = await startReleaseApi(
      {
        store,
        requestEvent,
        ready: () => service.ready().ok,
        logger: logger.child({ component: 'api' }),
        token: releases.apiToken,
      },
      { port: releases.apiPort, host: releases.apiHost },
    );
    logger.info(
      {
        host: parts.api.host,
        port: parts.api.port,
        auth: releases.apiToken === undefined ? 'none' : 'bearer',
      },
      'release API listening',
    );
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    name,
    pipeline: parts.pipeline,
    api: parts.api,
    store,
    stop: () => (stopped ??= stop()),
  };
}
