import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createKafkaDriver, loadKafkaConnection, type KafkaConnection } from '@troupe/kit';
import { cacheDir } from './cache';
import type { StackCertificates } from './certificates';
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

/** Where the broker listens and, for a secured one, what it presents and whom it accepts. */
interface Listeners {
  brokerPort: number;
  controllerPort: number;
  /** A secured broker's plaintext inter-broker listener, on loopback; unused otherwise. */
  internalPort: number;
  certificates?: StackCertificates;
}

/**
 * The listener lines. Plain: one PLAINTEXT client listener. Secured: the only client listener is
 * SASL_SSL with SCRAM-SHA-512 or OAUTHBEARER (PEM keystore and truststore: the run's CA, client
 * certificates requested, not required), and the broker talks to itself on a separate PLAINTEXT
 * listener.
 */
function listenerProperties({
  brokerPort,
  controllerPort,
  internalPort,
  certificates,
}: Listeners): string[] {
  const controller = `CONTROLLER://127.0.0.1:${controllerPort}`;
  if (!certificates)
    return [
      `listeners=PLAINTEXT://127.0.0.1:${brokerPort},${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
    ];
  const client = 'listener.name.client';
  return [
    `listeners=CLIENT://127.0.0.1:${brokerPort},INTERNAL://127.0.0.1:${internalPort},${controller}`,
    `advertised.listeners=CLIENT://127.0.0.1:${brokerPort},INTERNAL://127.0.0.1:${internalPort}`,
    'listener.security.protocol.map=CLIENT:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=INTERNAL',
    `${client}.sasl.enabled.mechanisms=SCRAM-SHA-512,OAUTHBEARER`,
    `${client}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    // OAUTHBEARER with Kafka's default validator, which accepts unsigned JWTs (alg "none") that
    // have a subject and have not expired: enough to run a client's token path, never production.
    `${client}.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;`,
    `${client}.ssl.keystore.type=PEM`,
    `${client}.ssl.keystore.certificate.chain=${pemValue(certificates.serverCertFile)}`,
    `${client}.ssl.keystore.key=${pemValue(certificates.serverKeyFile)}`,
    `${client}.ssl.truststore.type=PEM`,
    `${client}.ssl.truststore.certificates=${pemValue(certificates.caFile)}`,
    `${client}.ssl.client.auth=requested`,
  ];
}

/** A PEM file as one properties value: its lines joined by `\n` continuations. */
function pemValue(file: string): string {
  return readFileSync(file, 'utf8').trim().split('\n').join(' \\\n  ');
}

function serverProperties(dataDir: string, listeners: Listeners): string {
  return [
    // One JVM is broker and controller (KRaft combined mode): no ZooKeeper.
    'process.roles=broker,controller',
    'node.id=1',
    // A static quorum, which 3.9 and 4.x both run on storage formatted with a cluster id; 4.x's
    // dynamic quorum (controller.quorum.bootstrap.servers) buys nothing for one node.
    `controller.quorum.voters=1@127.0.0.1:${listeners.controllerPort}`,
    ...listenerProperties(listeners),
    'controller.listener.names=CONTROLLER',
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

/**
 * The TROUPE_KAFKA_* settings a client of a broker needs, as the kit's loadKafkaConnection reads
 * them. A secured devstack broker adds TROUPE_KAFKA_SASL_MECHANISM, _SASL_USERNAME,
 * _SASL_PASSWORD_FILE and _SSL_CA_FILE: its password is only ever a file, never a value that could
 * land in a log.
 */
export type KafkaSettings = { TROUPE_KAFKA_BROKERS: string } & Record<
  `TROUPE_KAFKA_${string}`,
  string
>;

export interface StartedKafka {
  server: ServerHandle;
  brokers: string;
  settings: KafkaSettings;
}

/** The SCRAM user a secured broker is formatted with; its password is random per run. */
export const SECURED_KAFKA_USER = 'troupe';

/**
 * Formats a KRaft log directory in `dir` and starts one broker+controller JVM; resolves once a
 * metadata request answers. With `certificates` (a CA made for this run, see certificates.ts) the
 * only client listener is SASL_SSL with SCRAM-SHA-512 on their server certificate, the SCRAM user
 * is created at format time, and its password is written to a file under `dir`.
 */
export async function startKafka(
  { java, release, libDir }: KafkaTools,
  dir: string,
  detached: boolean,
  wait: ReadyWait,
  certificates?: StackCertificates,
  readiness: { through: 'client' | 'internal' } = { through: 'client' },
): Promise<StartedKafka> {
  mkdirSync(dir, { recursive: true });
  const [brokerPort, controllerPort, internalPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const properties = path.join(dir, 'server.properties');
  // A secured broker's properties hold its private key.
  writeFileSync(
    properties,
    serverProperties(dir, { brokerPort, controllerPort, internalPort, certificates }),
    { mode: 0o600 },
  );
  const logging = writeKafkaLogging(release.logging, dir);
  const classpath = `${libDir}/*`;
  const jvm = ['-Xms256m', '-Xmx1g', '-Djava.awt.headless=true', logging, '-cp', classpath];
  const logFile = path.join(dir, 'kafka.log');
  const brokers = `127.0.0.1:${brokerPort}`;
  let settings: KafkaSettings = { TROUPE_KAFKA_BROKERS: brokers };
  const format = ['kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', properties];
  let password: string | undefined;
  if (certificates) {
    password = randomBytes(18).toString('base64url');
    const passwordFile = path.join(dir, 'sasl-password');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    format.push('--add-scram', `SCRAM-SHA-512=[name=${SECURED_KAFKA_USER},password=${password}]`);
    settings = {
      ...settings,
      TROUPE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      TROUPE_KAFKA_SASL_USERNAME: SECURED_KAFKA_USER,
      TROUPE_KAFKA_SASL_PASSWORD_FILE: passwordFile,
      TROUPE_KAFKA_SSL_CA_FILE: certificates.caFile,
    };
  }

  // Storage is formatted once per data directory, as `kafka-storage.sh format` does.
  try {
    await run(java, [...jvm, ...format]);
  } catch (error) {
    // The message quotes the command line, which holds the SCRAM password: only the output is kept.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const output = `${stdout}${stderr}`.trim();
    throw new ServerStartError(
      'kafka',
      'formatting the KRaft storage failed',
      password ? output.replaceAll(password, '(redacted)') : output,
    );
  }
  const server = spawnServer('kafka', java, [...jvm, 'kafka.Kafka', properties], {
    logFile,
    detached,
  });
  // Ready is judged as a client sees the broker, unless the client listener is meant to refuse
  // clients (a test's expired certificate): then on the broker's own plaintext loopback listener.
  const connection = loadKafkaConnection(
    certificates && readiness.through === 'internal'
      ? { TROUPE_KAFKA_BROKERS: `127.0.0.1:${internalPort}` }
      : settings,
  );
  await waitUntilReady(server, () => kafkaAnswers(connection), wait);
  return { server, brokers, settings };
}

/** Ready means a metadata request returns this broker, not merely that the port accepts. */
export async function kafkaAnswers(connection: KafkaConnection): Promise<void> {
  const admin = createKafkaDriver(connection, {
    clientId: 'troupe-devstack-probe',
    connectionTimeoutMs: 1000,
    retries: 0,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length === 0) throw new Error('metadata lists no broker yet');
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
