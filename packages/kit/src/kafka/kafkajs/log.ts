import { LogEntry, logLevel } from 'kafkajs';
import type { Logger } from 'pino';

/** kafkajs log entries as pino lines under `component: kafkajs`. */
export function pinoLogCreator(root: Logger) {
  const log = root.child({ component: 'kafkajs' });
  return () =>
    ({ level, log: entry }: LogEntry) => {
      const { message, ...fields } = entry;
      if (level === logLevel.ERROR || level === logLevel.NOTHING) log.error(fields, message);
      else if (level === logLevel.WARN) log.warn(fields, message);
      else if (level === logLevel.INFO) log.info(fields, message);
      else log.debug(fields, message);
    };
}
