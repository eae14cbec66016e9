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
import { startFaultProxy } from '@troupe/testkit';
import { finish, killAndRestart, throughNetworkFaults } from './support/network';
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
    { settings, topic, keys: 7, perKey: 2_000, intervalMs: 100, send: commit },
    'faults-outbox-postgres',
  );
  const relay = await runOutboxRelay({
    outbox,
    pool: relayPool,
    kafka: stream.kafka,
    onError: (error) => relayErrors.push(error.message),
  });
  try {
    stream.publish();
    await until(() => stream.handledCount >= 150, 60_000, '150 events handled');
    stream.markFault();
    const recoveries = await throughNetworkFaults(proxy, stream, { resumeWithinMs: 60_000 });

    recoveries.push(await killAndRestart(stream, ownStack(), 'postgresql', 'PostgreSQL'));
    // Recovery: the slowest of the five, each from the fault (or the heal, or the restart).
    const figures = await finish(
      stream,
      'outbox relay: 500 ms latency, cut, hung, half-open; postgresql SIGKILLed',
      recoveries,
    );
    process.stdout.write(
      `relay errors: ${relayErrors.length} (${[...new Set(relayErrors)].slice(0, 6).join('; ')})\n`,
    );
    const lost = stream.lostEvents().map((e) => e.split(' ')[0]!);
    if (lost.length > 0) {
      // Where each lost event's row stands: never sent, sent, waiting as failed, or missing.
      const { rows } = await writers.query(
        `SELECT id, headers->>'ce_id' AS event, sent_at, attempts, last_error, next_attempt_at
           FROM faults_outbox WHERE headers->>'ce_id' = ANY($1)`,
        [lost],
      );
      process.stdout.write(`the lost events' outbox rows: ${JSON.stringify(rows)}\n`);
    }
    await expectEveryEventOnce(stream, figures);
  } finally {
    await relay.stop().catch(() => undefined);
    await stream.stop();
    await relayPool.end().catch(() => undefined);
    await writers.end().catch(() => undefined);
    await proxy.close();
  }
});
