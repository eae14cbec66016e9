import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createKafkaDriver } from '@troupe/kit';
import { cacheDir } from './cache';
import { ServerStartError } from './errors';
import { writeKafkaLogging } from './kafka-logging';
import type { KafkaRelease } from './kafka-release';
import { freePort } from './ports';
import { requireTool } from './prerequisites';
import { ServerHandle, spawnServer } from './server-process';
import { ReadyWait, waitUntilReady } from './wait';

const run = promisify(execFile);

const POMS = path.resolve(__dirname, '..', 'kafka');

/** Where a release's classpath is cached: one folder per exact version. */
export function kafkaLibDir(release: KafkaRelease, cache: string = cacheDir()): string {
  return path.join(cache, `kafka-${release.version}`, 'lib');
}

/**
 * Resolves the release's runtime classpath from Maven Central into the cache, once. Maven keeps
 * the artifacts in ~/.m2 too, so a second resolution on the same machine works offline.
 */
export async function prepareKafka(
  release: KafkaRelease,
  log: (line: string) => void = () => undefined,
): Promise<string> {
  const libDir = kafkaLibDir(release);
  const marker = path.join(libDir, '.complete');
  if (existsSync(marker)) return libDir;
  requireTool('java');
  const mvn = requireTool('mvn');
  log(`resolving Apache Kafka ${release.version} from Maven Central into ${libDir}`);
  mkdirSync(libDir, { recursive: true });
  try {
    await run(
      mvn,
      [
        '-B',
        '-q',
        '-f',
        path.join(POMS, release.pom),
        'dependency:copy-dependencies',
        `-Dkafka.version=${release.version}`,
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
  if (!readdirSync(libDir).some((name) => name.startsWith(`kafka_2.13-${release.version}`))) {
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
    // A static quorum, which 3.9 and 4.x both run on storage formatted with a cluster id; 4.x's
    // dynamic quorum (controller.quorum.bootstrap.servers) buys nothing for one node.
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
    // KIP-848 groups (Kafka 4) take their session timeout and heartbeat interval from the broker,
    // not the member: 45 s and 5 s by default, so a killed member's partitions would wait 45 s.
    // A local stack answers as fast as the classic members Troupe configures (10 s, 1 s).
    'group.consumer.min.session.timeout.ms=6000',
    'group.consumer.session.timeout.ms=10000',
    'group.consumer.min.heartbeat.interval.ms=500',
    'group.consumer.heartbeat.interval.ms=1000',
    'num.partitions=1',
    // As production clusters run: a record or a subscription for a misspelled topic is refused,
    // not answered with a new empty topic.
    'auto.create.topics.enable=false',
    'log.retention.hours=24',
  ].join('\n');
}

/** What Kafka runs on, found before anything is spawned (see stack-tools.ts). */
export interface KafkaTools {
  java: string;
  release: KafkaRelease;
  libDir: string;
}

export interface StartedKafka {
  server: ServerHandle;
  brokers: string;
}

export async function startKafka(
  { java, release, libDir }: KafkaTools,
  dir: string,
  detached: boolean,
  wait: ReadyWait,
): Promise<StartedKafka> {
  mkdirSync(dir, { recursive: true });
  const [brokerPort, controllerPort] = [await freePort(), await freePort()];
  const properties = path.join(dir, 'server.properties');
  writeFileSync(properties, serverProperties(dir, brokerPort, controllerPort));
  const logging = writeKafkaLogging(release.logging, dir);
  const classpath = `${libDir}/*`;
  const jvm = ['-Xms256m', '-Xmx1g', '-Djava.awt.headless=true', logging, '-cp', classpath];
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
