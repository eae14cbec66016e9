import pino from 'pino';
import { LogWriter, type SchemaLog } from './log-writer';
import type { LogEntry } from './log-records';
import type { ApplyOutcome } from './schema-store';

const entry: LogEntry = {
  kind: 'deleted',
  key: { subject: 's', version: 1, id: 1, hash: 'h' },
  tombstone: false,
};

/** A log on which the first `losses` appends lose to another instance. */
function contendedLog(losses: number) {
  const appends: number[] = [];
  let lost = 0;
  const log: SchemaLog = {
    catchUp: async () => undefined,
    append: async (records): Promise<ApplyOutcome[]> => {
      appends.push(records.length);
      const tombstones = records.every((r) => r.value === null);
      if (tombstones) return records.map(() => 'accepted' as const);
      if (lost < losses) {
        lost++;
        return records.map(() => 'rejected' as const);
      }
      return records.map(() => 'accepted' as const);
    },
  };
  return { log, appends };
}

test('a write that loses to another instance retries after a growing random wait, and lands', async () => {
  const { log } = contendedLog(6);
  const waits: number[] = [];
  const writer = new LogWriter(log, pino({ level: 'silent' }), async (ms) => {
    waits.push(ms);
  });
  await expect(writer.write(() => ({ entries: [entry], result: 'ok' }))).resolves.toBe('ok');
  expect(waits).toHaveLength(6);
  waits.forEach((ms, i) => {
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThanOrEqual(Math.min(250, 10 * 2 ** (i + 1)));
  });
});

test('a write that keeps losing gives up with a store error after ten attempts', async () => {
  const { log } = contendedLog(Infinity);
  const writer = new LogWriter(log, pino({ level: 'silent' }), async () => undefined);
  await expect(writer.write(() => ({ entries: [entry], result: 'ok' }))).rejects.toMatchObject({
    message: expect.stringContaining(
      'write lost to concurrent writes from other instances 10 times',
    ),
  });
});
