import { LogEntry, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * kafkajs warns of any idempotent producer whose retries are counted; the driver counts them on
 * purpose, so that a send retries for its delivery timeout and then stops (see deliveryRetry),
 * and the broker still deduplicates every retry. Said once here rather than by every producer.
 */
const LIMITED_RETRIES_WARNING =
  'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** kafkajs log entries as pino lines under `component: kafkajs`. */
export function pinoLogCreator(root: Logger) {
  const log = root.child({ component: 'kafkajs' });
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...fields } = entry;
      if (message === LIMITED_RETRIES_WARNING) return;
      if (level === logLevel.ERROR || level === logLevel.NOTHING) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else if (level === logLevel.INFO) log.info(fields, message);
      else log.debug(fields, message);
    };
}
