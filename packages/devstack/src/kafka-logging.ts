import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KafkaLogging } from './kafka-release';

/*
 * Both say the same: WARN and above to stdout (the server's log file), plus BrokerServer's INFO
 * lines, the broker's start-up phases, so that the log tail of a start that fails shows where it
 * stopped. Nothing waits for those lines: readiness is a metadata request (see kafka.ts).
 */

/** Kafka 3.x: read by reload4j, slf4j 1.7's log4j 1 binding. */
const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.BrokerServer=INFO',
].join('\n');

/** Kafka 4.x: log4j2's properties format, which log4j-core reads without another jar. */
const LOG4J2 = [
  'appender.stdout.type=Console',
  'appender.stdout.name=STDOUT',
  'appender.stdout.layout.type=PatternLayout',
  'appender.stdout.layout.pattern=[%d] %p %m (%c)%n',
  'rootLogger.level=WARN',
  'rootLogger.appenderRef.stdout.ref=STDOUT',
  'logger.broker.name=kafka.server.BrokerServer',
  'logger.broker.level=INFO',
].join('\n');

/** Writes the logging configuration into `dir` and returns the JVM option that points Kafka at it. */
export function writeKafkaLogging(logging: KafkaLogging, dir: string): string {
  if (logging === 'log4j') {
    const file = path.join(dir, 'log4j.properties');
    writeFileSync(file, LOG4J);
    return `-Dlog4j.configuration=file:${file}`;
  }
  const file = path.join(dir, 'log4j2.properties');
  writeFileSync(file, LOG4J2);
  return `-Dlog4j2.configurationFile=${file}`;
}
