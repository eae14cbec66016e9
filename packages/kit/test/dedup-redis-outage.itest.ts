/**
 * Redis is away for 10 s while events keep arriving, under a Troupe service declaring dedup (our
 * own redis-server, never the shared one), two ways: the server stopped (connections refused,
 * its keys gone when it returns), and the connection hung through a fault proxy (open and
 * silent, a half-open connection; the keys stay). Expected either way: dedup fails fast and
 * retryable (the runtime pauses and redelivers, spending no retry), nothing runs or is skipped
 * unguarded while Redis is away, processing resumes when it is back, and each effect is applied
 * once.
 */
import { RedisDedupStore, createFailFastRedis, defineService } from '@troupe/kit';
import type { TroupeService } from '@troupe/kit';
import pino from 'pino';
import { startFaultProxy } from '@troupe/testkit';
import { OwnRedisServer, freePort, sleep } from './fixtures/dedup-support';
import {
  TestEvents,
  createTopics,
  metricValues,
  testPublisher,
  testService,
  uniqueName,
  waitFor,
} from './support/runtime-support';

jest.setTimeout(90_000);

const EVENTS = 1_500;

/** How Redis goes away and comes back, and the URL the service reaches it at. */
interface Outage {
  url: string;
  begin(): Promise<void>;
  end(): Promise<void>;
  close(): Promise<void>;
}

const OUTAGES: [string, (server: OwnRedisServer) => Promise<Outage>][] = [
  [
    'down (stopped, restarted empty)',
    async (server) => ({
      url: server.url,
      begin: () => server.stop(),
      end: () => server.start(),
      close: async () => undefined,
    }),
  ],
  [
    'hung (a half-open connection through a fault proxy)',
    async (server) => {
      const proxy = await startFaultProxy({ host: '127.0.0.1', port: server.port });
      return {
        url: `redis://${proxy.host}:${proxy.port}`,
        begin: async () => proxy.hang(),
        end: async () => proxy.heal(),
        close: () => proxy.close(),
      };
    },
  ],
];

test.each(OUTAGES)(
  'Redis %s for 10 s mid-stream under a service with dedup: no event skipped, processing resumes, each effect once',
  async (how, makeOutage) => {
    const server = new OwnRedisServer(await freePort());
    await server.start();
    const outage = await makeOutage(server);
    const topic = uniqueName('dedup-outage');
    await createTopics([{ topic, partitions: 2 }]);
    const name = uniqueName('dedup-outage-svc');
    const redis = createFailFastRedis(outage.url, { commandTimeout: 500 });
    const effects = new Map<string, number>();
    const appliedAt: number[] = [];
    // The runtime's warning for a delivery it pauses and redelivers: here, Redis unreachable.
    const unavailable: number[] = [];
    const logger = pino(
      { level: 'warn' },
      {
        write: (line: string) => {
          const entry = JSON.parse(line) as { err?: { code?: string } };
          if (entry.err?.code === 'DEDUP_UNAVAILABLE') unavailable.push(Date.now());
        },
      },
    );
    let service: TroupeService | undefined;
    const publisher = await testPublisher();
    try {
      service = testService(
        defineService<TestEvents>()({
          name,
          topics: [topic],
          dedup: true,
          consumes: {
            'test.runtime.Counted': async (_event, ctx) => {
              effects.set(ctx.metadata.id, (effects.get(ctx.metadata.id) ?? 0) + 1);
              appliedAt.push(Date.now());
            },
          },
        }),
        {
          dedupStore: new RedisDedupStore({ redis, service: name, leaseMs: 5_000 }),
          redeliveryDelayMs: 300,
          partitionConcurrency: 2,
          logger,
        },
      );
      await service.start();

      // Produce steadily for ~15 s; Redis is away from ~3 s to ~13 s.
      const ids: string[] = [];
      const producing = (async () => {
        for (let i = 0; i < EVENTS; i += 25) {
          const sent = await Promise.all(
            Array.from({ length: 25 }, (_, j) =>
              publisher.publish({
                type: 'test.runtime.Counted',
                topic,
                key: `k${(i + j) % 7}`,
                payload: { key: `k${(i + j) % 7}`, seq: i + j, note: null },
              }),
            ),
          );
          ids.push(...sent.map((envelope) => envelope.id));
          await sleep(250);
        }
      })();
      await waitFor(() => effects.size >= 200, 30_000, 'first events');
      await outage.begin();
      const stoppedAt = Date.now();
      await sleep(10_000);
      const handledWhileDown = appliedAt.filter((t) => t > stoppedAt + 1_000).length;
      const failedFastWhileDown = unavailable.filter((t) => t >= stoppedAt).length;
      // Stopped: back empty (the done marks are gone, only committed offsets remain). Hung: back
      // with everything, and the commands held meanwhile answered late.
      await outage.end();
      const restartedAt = Date.now();
      await producing;
      await waitFor(() => effects.size >= EVENTS, 40_000, 'all events after Redis returned');

      process.stdout.write(
        `redis ${how}: ${failedFastWhileDown} deliveries paused for redelivery (DEDUP_UNAVAILABLE) while down; handled while down: ${handledWhileDown}; ` +
          `handled after return: ${appliedAt.filter((t) => t > restartedAt).length}\n`,
      );
      // Dedup failed fast (commandTimeout 500 ms) and the runtime paused and redelivered, again and again.
      expect(failedFastWhileDown).toBeGreaterThan(3);
      expect(handledWhileDown).toBe(0); // nothing runs (or is skipped) unguarded while dedup is away
      expect(appliedAt.filter((t) => t > restartedAt).length).toBeGreaterThan(0); // resumed
      expect(ids).toHaveLength(EVENTS);
      for (const id of ids) expect(effects.get(id)).toBe(1); // none skipped, none twice
      const retried = await metricValues(service, 'troupe_retries_total');
      expect(retried.reduce((n, v) => n + v.value, 0)).toBe(0); // Redis away spends no retry
    } finally {
      await service?.stop();
      await publisher.disconnect();
      redis.disconnect();
      await outage.close();
      await server.stop();
    }
  },
);
