import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createKafkaDriver } from '@troupe/kit';
import { cacheDir } from './cache';
import { ServerStartError } from './errors';
import { freePort } from './ports';
import { requireTool } from './prerequisites';
import { ServerHandle, spawnServer } from './server-process';
import { ReadyWait, waitUntilReady } from './wait';

const run = promisify(execFile);

export const KAFKA_VERSION = '3.9.1';
const POM = path.resolve(__dirname, '..', 'kafka', 'pom.xml');

/**
 * Resolves Kafka's runtime classpath from Maven Central into the cache, once. Maven keeps the
 * artifacts in ~/.m2 too, so a second resolution on the same machine works offline.
 */
export async function prepareKafka(log: (line: string) => void = () => undefined): Promise<string> {
  const libDir = path.join(cacheDir(), `kafka-${KAFKA_VERSION}`, 'lib');
  const marker = path.join(libDir, '.complete');
  if (existsSync(marker)) return libDir;
  requireTool('java');
  const mvn = requireTool('mvn');
  log(`resolving Apache Kafka ${KAFKA_VERSION} from Maven Central into ${libDir}`);
  mkdirSync(libDir, { recursive: true });
  try {
    await run(
      mvn,
      [
        '-B',
        '-q',
        '-f',
        POM,
        'dependency:copy-dependencies',
        `-DoutputDirectory=${libDir}`,
        '-DincludeScope=runtime',
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const output = (error as { stdout?: string }).stdout ?? '';
    throw new ServerStartError(
      'kafka',
      `mvn could not resolve the Kafka artifacts`,
      output.split('\n').slice(-20).join('\n'),
    );
  }
  if (!readdirSync(libDir).some((name) => name.startsWith(`kafka_2.13-${KAFKA_VERSION}`))) {
    throw new ServerStartError('kafka', `mvn finished but ${libDir} has no kafka_2.13 jar`, '');
  }
  writeFileSync(marker, new Date().toISOString());
  return libDir;
}

/** Kafka's own cluster id format: 16 random bytes, URL-safe base64 without padding. */
/**
 * A KRaft cluster id as Kafka's own `kafka-storage random-uuid` makes one: 16 random bytes in
 * base64url, drawn again when the text starts with `-` (one time in 64), which the storage tool's
 * command line would read as an option ("expected one argument").
 */
export function clusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(dataDir: string, brokerPort: number, controllerPort: number): string {
  return [
    // One JVM is broker and controller (KRaft combined mode): no ZooKeeper.
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${path.join(dataDir, 'logs')}`,
    // A single node: internal topics cannot have more than one replica.
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    // Fewer internal partitions and no join delay: the first consumer group forms in a second.
    'offsets.topic.num.partitions=10',
    'transaction.state.log.num.partitions=10',
    'group.initial.rebalance.delay.ms=0',
    'num.partitions=1',
    'auto.create.topics.enable=true',
    'log.retention.hours=24',
  ].join('\n');
}

const LOG4J = [
  'log4j.rootLogger=WARN, stdout',
  'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
  'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
  'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
  'log4j.logger.kafka.server.BrokerServer=INFO',
].join('\n');

/** What Kafka runs on, found before anything is spawned (see stack-tools.ts). */
export interface KafkaTools {
  java: string;
  libDir: string;
}

export interface StartedKafka {
  server: ServerHandle;
  brokers: string;
}

export async function startKafka(
  { java, libDir }: KafkaTools,
  dir: string,
  detached: boolean,
  wait: ReadyWait,
): Promise<StartedKafka> {
  mkdirSync(dir, { recursive: true });
  const [brokerPort, controllerPort] = [await freePort(), await freePort()];
  const properties = path.join(dir, 'server.properties');
  const log4j = path.join(dir, 'log4j.properties');
  writeFileSync(properties, serverProperties(dir, brokerPort, controllerPort));
  writeFileSync(log4j, LOG4J);
  const classpath = `${libDir}/*`;
  const jvm = [
    '-Xms256m',
    '-Xmx1g',
    '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${log4j}`,
    '-cp',
    classpath,
  ];
  const logFile = path.join(dir, 'kafka.log');

  // Storage is formatted once per data directory, as `kafka-storage.sh format` does.
  try {
    await run(java, [
      ...jvm,
      'kafka.tools.StorageTool',
      'format',
      '-t',
      clusterId(),
      '-c',
      properties,
    ]);
  } catch (error) {
    throw new ServerStartError(
      'kafka',
      'formatting the KRaft storage failed',
      String((error as Error).message),
    );
  }
  const server = spawnServer('kafka', java, [...jvm, 'kafka.Kafka', properties], {
    logFile,
    detached,
  });
  const brokers = `127.0.0.1:${brokerPort}`;
  await waitUntilReady(server, () => kafkaAnswers(brokers), wait);
  return { server, brokers };
}

/** Ready means a metadata request returns this broker, not merely that the port accepts. */
async function kafkaAnswers(brokers: string): Promise<void> {
  const admin = createKafkaDriver(
    { brokers: [brokers], ssl: false },
    { clientId: 'troupe-devstack-probe', connectionTimeoutMs: 1000, retries: 0 },
  ).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('metadata lists no broker yet');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
