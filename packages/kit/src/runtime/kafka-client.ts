import { Kafka, KafkaConfig, LogEntry, SASLOptions, logLevel } from 'kafkajs';
import type { Logger } from 'pino';
import type { TroupeConfig } from '../config/service-config';

/**
 * A kafkajs client from the validated config, logging through pino (warnings and errors only:
 * kafkajs is chatty at info, one line per rebalance step).
 */
export function createKafka(
  config: TroupeConfig['kafka'],
  options: { clientId: string; logger?: Logger; level?: logLevel },
): Kafka {
  const kafkaConfig: KafkaConfig = {
    clientId: config.clientId ?? options.clientId,
    brokers: config.brokers,
    ssl: config.ssl,
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    logLevel: options.level ?? logLevel.WARN,
    logCreator: options.logger ? pinoLogCreator(options.logger) : undefined,
  };
  if (config.sasl) {
    // kafkajs types SASL options as a union per mechanism; ours carry the same three fields for each.
    kafkaConfig.sasl = { ...config.sasl } as SASLOptions;
  }
  return new Kafka(kafkaConfig);
}

function pinoLogCreator(root: Logger) {
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
