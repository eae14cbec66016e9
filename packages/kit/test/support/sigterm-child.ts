/**
 * A service in its own process, for the SIGTERM test: `tsx sigterm-child.ts`. Reads TOPIC, GROUP,
 * HANDLED_FILE and the usual TROUPE_* variables; appends each handled event's
 * `<partition>:<offset>:<id>` line to HANDLED_FILE (synchronously, so a line is never lost at
 * exit) and stops on SIGTERM through stopOnSignals, exactly as a deployed service does.
 */
import { appendFileSync } from 'node:fs';
import pino from 'pino';
import { createService, defineService, loadConfig, stopOnSignals } from '../../src/internal';
import type { TestEvents } from './runtime-support';
import { childCodec } from './child-codec';

const { TOPIC, GROUP, HANDLED_FILE } = process.env;
if (!TOPIC || !GROUP || !HANDLED_FILE) throw new Error('TOPIC, GROUP and HANDLED_FILE must be set');

const config = loadConfig();
const service = createService(
  defineService<TestEvents>()({
    name: GROUP,
    topics: [TOPIC],
    startFrom: 'earliest', // the test publishes before the child starts
    consumes: {
      'test.runtime.Counted': async (_payload, ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 2));
        appendFileSync(
          HANDLED_FILE,
          `${ctx.metadata.partition}:${ctx.metadata.offset}:${ctx.metadata.id}\n`,
        );
      },
    },
  }),
  {
    config,
    codec: childCodec(config),
    logger: pino({ level: process.env.TROUPE_TEST_LOG_LEVEL ?? 'silent' }),
    consumer: { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500, maxWaitTimeMs: 200 },
    retry: { topicDelaysMs: [] },
    defaultMetrics: false,
  },
);
stopOnSignals(service);
service.start().then(
  () => process.stdout.write('started\n'),
  (error: unknown) => {
    process.stderr.write(`start failed: ${String(error)}\n`);
    process.exit(2);
  },
);
