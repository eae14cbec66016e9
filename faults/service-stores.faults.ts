/**
 * Faults between a service and the stores it depends on. The service declares dedup on Redis
 * (through one fault proxy) and its handler writes each event's effect to PostgreSQL through
 * `ctx.breaker('postgresql')` (its pool through another). Each proxy in turn: 500 ms latency,
 * every connection cut, the network hung for 15 s, half-open connections the client must give up
 * on by itself; then Redis itself SIGKILLed and restarted 5 s later. The service resumes after each,
 * the breaker opens while PostgreSQL is unreachable and closes after, nothing is lost, nothing
 * applied twice, each key's events in order.
 */
import { Pool } from 'pg';
import { loadDatabaseConnection } from '@troupe/kit';
import { startFaultProxy } from '@troupe/testkit';
import { finish, killAndRestart, throughNetworkFaults } from './support/network';
import { createTopic, expectEveryEventOnce, until, useOwnStack } from './support/scenario';
import { CountedStream } from './support/stream';

jest.setTimeout(420_000);

const ownStack = useOwnStack();

const through = (url: string, port: number) => {
  const proxied = new URL(url);
  proxied.port = String(port);
  return proxied.toString();
};
const target = (url: string) => {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port) };
};

test('a service through faults to its Redis and its PostgreSQL, and Redis SIGKILLed: it resumes after each, breaker opened and closed, nothing lost, nothing doubled', async () => {
  const settings = ownStack().settings;
  const topic = 'faults.service-stores';
  await createTopic(settings, topic, 3);
  const redisProxy = await startFaultProxy(target(settings.TROUPE_REDIS_URL));
  const database = loadDatabaseConnection({ ...settings });
  const postgresProxy = await startFaultProxy(target(database.connectionString));
  // A pool that gives up fast, so the breaker sees the failures: a query after 2 s, a connection
  // after 2 s. (Without query_timeout a half-open connection would hold a query for ever.)
  const effects = new Pool({
    ...database,
    connectionString: through(database.connectionString, postgresProxy.port),
    max: 4,
    connectionTimeoutMillis: 2_000,
    query_timeout: 2_000,
  });
  effects.on('error', () => undefined);
  await effects.query('CREATE TABLE IF NOT EXISTS faults_effects (event_id text NOT NULL)');

  const stream = await CountedStream.start(
    {
      settings,
      topic,
      keys: 7,
      perKey: 3_000,
      intervalMs: 100,
      serviceRedisUrl: through(settings.TROUPE_REDIS_URL, redisProxy.port),
      effect: async (ctx, id) => {
        await ctx
          .breaker('postgresql')
          .run(() => effects.query('INSERT INTO faults_effects (event_id) VALUES ($1)', [id]));
      },
    },
    'faults-service-stores',
  );
  const breaker = stream.runtime.breakers.get('postgresql').circuit;
  const transitions: string[] = [];
  breaker.on('open', () => transitions.push('open'));
  breaker.on('close', () => transitions.push('close'));
  try {
    stream.publish();
    await until(() => stream.handledCount >= 150, 60_000, '150 events handled');
    stream.markFault();
    process.stdout.write('— Redis, for dedup —\n');
    const recoveries = await throughNetworkFaults(redisProxy, stream, { resumeWithinMs: 60_000 });
    process.stdout.write('— PostgreSQL, for the effects —\n');
    const opensBefore = transitions.filter((t) => t === 'open').length;
    recoveries.push(
      ...(await throughNetworkFaults(postgresProxy, stream, { resumeWithinMs: 60_000 })),
    );
    const opened = transitions.filter((t) => t === 'open').length - opensBefore;

    recoveries.push(await killAndRestart(stream, ownStack(), 'redis', 'Redis'));
    const figures = await finish(
      stream,
      'service to Redis, then PostgreSQL: 500 ms latency, cut, hung, half-open; redis SIGKILLed',
      recoveries,
    );
    process.stdout.write(`postgresql breaker: ${transitions.join(' → ') || 'never opened'}\n`);
    // Before the breaker opens, a failed effect is retried in process and then via the retry topic.
    await expectEveryEventOnce(stream, figures, { overtakenAfterRetryTopic: true });
    expect(opened).toBeGreaterThan(0);
    expect(breaker.closed).toBe(true);
  } finally {
    await stream.stop();
    await effects.end().catch(() => undefined);
    await redisProxy.close();
    await postgresProxy.close();
  }
});
