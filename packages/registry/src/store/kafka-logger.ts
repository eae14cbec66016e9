import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

/**
 * Routes kafkajs logs into the registry's pino logger. kafkajs INFO lines (joins, rebalances) are
 * routine, so they surface only at pino debug; warnings and errors keep their level.
 */
export function kafkaLogLevel(logger: Logger): logLevel {
  if (!logger.isLevelEnabled) return logLevel.WARN;
  if (logger.isLevelEnabled('debug')) return logLevel.INFO;
  if (logger.isLevelEnabled('warn')) return logLevel.WARN;
  if (logger.isLevelEnabled('error')) return logLevel.ERROR;
  return logLevel.NOTHING;
}

export function kafkaLogCreator(logger: Logger): logCreator {
  const child = logger.child({ source: 'kafkajs' });
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, ...extra } = log;
      const fields = { namespace, ...extra };
      if (level === logLevel.ERROR) child.error(fields, message);
      else if (level === logLevel.WARN) child.warn(fields, message);
      else child.debug(fields, message);
    };
}
