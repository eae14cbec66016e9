/**
 * The transactional outbox under PostgreSQL faults: each event is committed with a business row
 * in one transaction, and the relay (its pool as the releases service makes one) publishes it to
 * a service declaring dedup. The relay's connections go through a fault proxy: 500 ms latency,
 * then every connection cut, then the network hung for 15 s (connections open and silent), then
 * its open connections silent for good while new ones go through (half-open: the relay must give
 * up on them by itself); then PostgreSQL itself is SIGKILLed and restarted, under the writers too. Every committed event
 * handled once, in order per key, and the relay resumes by itself after each fault.
 */
import { Pool, type PoolClient } from 'pg';
import {
  inTransaction,
  loadDatabaseConnection,
  PgOutbox,
  runOutboxRelay,
  toMessage,
} from '@troupe/kit';
import type { OutgoingEvent } from '@troupe/kit';
import { stackServers } from '@troupe/devstack';
import { startFaultProxy } from '@troupe/testkit';
import { report } from './support/figures';
import { createTopic, expectEveryEventOnce, sleep, until, useOwnStack } from './support/scenario';
import { CountedStream, streamCodec } from './support/stream';

jest.setTimeout(300_000);

const ownStack = useOwnStack();

/** A unique_violation: the business row of this id is there, so its first commit went through. */
const UNIQUE_VIOLATION = '23505';

test('the outbox relay through latency, cut connections, a half-open network and a PostgreSQL SIGKILL: nothing lost, nothing doubled', async () => {
  const settings = ownStack().settings;
  const topic = 'faults.outbox-postgres';
  await createTopic(settings, topic, 3);
  const database = loadDatabaseConnection({ ...settings });
  const url = new URL(database.connectionString);
  const proxy = await startFaultProxy({ host: url.hostname, port: Number(url.port) });
  const proxied = new URL(url);
  proxied.port = String(proxy.port);

  const writers = new Pool({ ...database, max: 7 });
  writers.on('error', () => undefined);
  // As the releases service makes its pool: a query given up after 15 s, a connection after 5 s.
  const relayPool = new Pool({
    ...database,
    connectionString: proxied.toString(),
    max: 4,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 10_000,
    query_timeout: 15_000,
  });
  relayPool.on('error', () => undefined);
  const codec = streamCodec(settings);
  const outbox = new PgOutbox({
    table: 'faults_outbox',
    encode: (event) => toMessage(event, codec, 'faults-outbox-postgres'),
  });
  await outbox.migrate(writers);
  await writers.query('CREATE TABLE IF NOT EXISTS faults_orders (id text PRIMARY KEY)');

  /** The business row and its event in one transaction, tried again until it commits. */
  const commit = async (event: OutgoingEvent): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await inTransaction(writers, async (tx: PoolClient) => {
          await tx.query('INSERT INTO faults_orders (id) VALUES ($1)', [event.id]);
          await outbox.add(tx, event);
        });
        return;
      } catch (error) {
        // The commit's answer was lost but the commit was not: the row is there.
        if ((error as { code?: string }).code === UNIQUE_VIOLATION) return;
        if (attempt === 300) throw error;
        await sleep(200);
      }
    }
  };

  const relayErrors: string[] = [];
  const stream = await CountedStream.start(
    { settings, topic, keys: 7, perKey: 1000, intervalMs: 100, send: commit },
    'faults-outbox-postgres',
  );
  const relay = await runOutboxRelay({
    outbox,
    pool: relayPool,
    kafka: stream.kafka,
    onError: (error) => relayErrors.push(error.message),
  });
  const step = (what: string) =>
    process.stdout.write(
      `${what}: committed ${stream.acknowledgedCount}, handled ${stream.handledCount}\n`,
    );
  const recoveries: number[] = [];
  /**
   * The relay publishing again: every event committed until now, and 50 committed after, handled
   * within `withinMs` (the writers commit about 70 a second). Records the seconds since `from`.
   */
  const resumes = async (what: string, from: number, withinMs: number) => {
    const committed = stream.acknowledgedCount + 50;
    await until(() => stream.handledCount >= committed, withinMs, `the relay resuming ${what}`);
    recoveries.push((Date.now() - from) / 1000);
    step(`resumed ${what} in ${recoveries.at(-1)!.toFixed(1)} s`);
  };
  try {
    stream.publish();
    await until(() => stream.handledCount >= 150, 60_000, '150 events handled');
    stream.markFault();

    proxy.latency(500);
    step('500 ms latency');
    await sleep(8_000);
    await resumes('under latency', Date.now(), 20_000);
    proxy.latency(0);

    proxy.cut();
    step('every relay connection cut');
    await resumes('after the cut', Date.now(), 20_000);

    proxy.hang();
    step('the network to PostgreSQL hung: every connection open and silent, new ones too');
    await sleep(15_000);
    proxy.heal();
    step('network healed');
    await resumes('after the hung network healed', Date.now(), 40_000);

    proxy.hang('open');
    step('the open connections silent for good (half-open), new ones forwarded');
    // No heal: the relay gives up on them by itself (query_timeout), or never resumes.
    await resumes('by itself, its old connections still silent', Date.now(), 60_000);
    proxy.heal();

    const servers = stackServers(ownStack());
    await servers.kill('postgresql');
    step('postgres SIGKILLed');
    await sleep(5_000);
    await servers.restart('postgresql');
    step('postgres restarted');
    await resumes('after the PostgreSQL restart', Date.now(), 60_000);

    await stream.produced();
    await stream.drained(90_000);
    // Recovery: the slowest of the five, each from the fault (or the heal, or the restart).
    const figures = await stream.figures(
      'outbox relay: 500 ms latency, cut, hung, half-open, postgres SIGKILL',
      Math.max(...recoveries),
    );
    report(figures);
    process.stdout.write(
      `relay errors: ${relayErrors.length} (${[...new Set(relayErrors)].slice(0, 6).join('; ')})\n`,
    );
    await expectEveryEventOnce(stream, figures);
  } finally {
    await relay.stop().catch(() => undefined);
    await stream.stop();
    await relayPool.end().catch(() => undefined);
    await writers.end().catch(() => undefined);
    await proxy.close();
  }
});
