import pino, { DestinationStream, Logger, LoggerOptions } from 'pino';
import { SECRET_LOG_PATHS } from '../config/service-config';

/**
 * Paths pino replaces with "[redacted]". Secrets reach logs through config objects, client
 * options and HTTP headers; these cover those shapes up to two levels deep, plus every secret
 * setting (SECRET_VARIABLES) by its variable name and its TroupeConfig path. Add your own with
 * `redact`.
 */
export const REDACTED_LOG_PATHS: readonly string[] = [
  'password',
  '*.password',
  '*.*.password',
  'secret',
  '*.secret',
  '*.*.secret',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  ...SECRET_LOG_PATHS,
];

export interface LoggerSettings {
  service: string;
  level?: LoggerOptions['level'];
  redact?: readonly string[];
  instanceId?: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
}

/** The service's root logger: JSON lines carrying `service` (and `instance`), secrets redacted by path. */
export function createLogger(settings: LoggerSettings): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: {
      service: settings.service,
      ...(settings.instanceId ? { instance: settings.instanceId } : {}),
    },
    redact: { paths: [...REDACTED_LOG_PATHS, ...(settings.redact ?? [])], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}
