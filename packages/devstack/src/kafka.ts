import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createKafkaDriver, loadKafkaConnection, type KafkaConnection } from '@troupe/kit';
import { cacheDir } from './cache';
import type { StackCertificates } from './certificates';
import { ServerStartError, UsageError } from './errors';
import { writeKafkaLogging } from './kafka-logging';
import type { KafkaRelease } from './kafka-release';
import { freePort } from './ports';
import { requireTool } from './prerequisites';
import { ServerHandle, spawnServer, stopServer } from './server-process';
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
  /** A plain broker's listener for a proxy in front of it: see KafkaStartOptions.proxyListener. */
  proxy?: { port: number; advertisedPort: number };
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
  proxy,
}: Listeners): string[] {
  const controller = `CONTROLLER://127.0.0.1:${controllerPort}`;
  if (!certificates) {
    // A client that bootstraps through the proxy is told the proxy's address for the broker, so
    // it stays behind the proxy; every other client and the broker itself use PLAINTEXT.
    const proxied = proxy
      ? {
          listener: `,PROXIED://127.0.0.1:${proxy.port}`,
          advertised: `,PROXIED://127.0.0.1:${proxy.advertisedPort}`,
          protocol: ',PROXIED:PLAINTEXT',
        }
      : { listener: '', advertised: '', protocol: '' };
    return [
      `listeners=PLAINTEXT://127.0.0.1:${brokerPort}${proxied.listener},${controller}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}${proxied.advertised}`,
      `listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT${proxied.protocol}`,
      'inter.broker.listener.name=PLAINTEXT',
    ];
  }
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

/** One node of a KRaft cluster: its id, its listeners, and the quorum it votes in. */
interface NodeShape extends Listeners {
  nodeId: number;
  /** `id@host:port` of every controller, this node's included. */
  voters: string;
  /** How many nodes the cluster has (each one broker and controller). */
  nodes: number;
}

function serverProperties(dataDir: string, node: NodeShape): string {
  // Three copies of everything on a cluster of three or more, and a write acknowledged by all
  // (acks=-1) needs two of them in sync: one node may die without losing an acknowledged record
  // or refusing writes. A single node can keep one copy only.
  const replicas = Math.min(node.nodes, 3);
  const minInSync = replicas >= 3 ? 2 : 1;
  return [
    // Every JVM is broker and controller (KRaft combined mode): no ZooKeeper.
    'process.roles=broker,controller',
    `node.id=${node.nodeId}`,
    // A static quorum, which 3.9 and 4.x both run on storage formatted with a cluster id; 4.x's
    // dynamic quorum (controller.quorum.bootstrap.servers) would only add a membership to manage.
    `controller.quorum.voters=${node.voters}`,
    ...listenerProperties(node),
    'controller.listener.names=CONTROLLER',
    `log.dirs=${path.join(dataDir, 'logs')}`,
    `default.replication.factor=${replicas}`,
    `min.insync.replicas=${minInSync}`,
    `offsets.topic.replication.factor=${replicas}`,
    `transaction.state.log.replication.factor=${replicas}`,
    `transaction.state.log.min.isr=${minInSync}`,
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
    // A broker that stops heartbeating is fenced (its partitions led elsewhere) after 9 s by
    // default; a local cluster whose node was killed fails over in 4. A single node keeps the
    // default: fencing the only broker would take every partition offline.
    ...(node.nodes > 1
      ? ['broker.session.timeout.ms=4000', 'broker.heartbeat.interval.ms=500']
      : []),
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
  /** One per node: `kafka` for a single node, `kafka-1`… for a cluster, in node id order. */
  servers: ServerHandle[];
  /** Every node's client address, comma-separated, in node id order. */
  brokers: string;
  settings: KafkaSettings;
  /** With KafkaStartOptions.proxyListener: where the proxy forwards to (the PROXIED listener). */
  proxyTarget?: { host: string; port: number };
}

/** The SCRAM user a secured broker is formatted with; its password is random per run. */
export const SECURED_KAFKA_USER = 'troupe';

/** How startKafka runs Kafka. */
export interface KafkaStartOptions {
  detached: boolean;
  wait: ReadyWait;
  /** A CA made for this run (see certificates.ts): SASL_SSL on its server certificate. */
  certificates?: StackCertificates;
  /**
   * How readiness is judged: as a client sees the cluster (default), or on the nodes' plaintext
   * loopback listener, for a secured node whose client listener is meant to refuse clients.
   */
  readiness?: { through: 'client' | 'internal' };
  /**
   * How many nodes, each a broker and a controller (default 1). Three or more replicate every
   * topic three times with min.insync.replicas=2 by default, internal topics included.
   */
  nodes?: number;
  /**
   * A second plaintext client listener for a TCP proxy a fault test puts in front of the broker:
   * it advertises `127.0.0.1:<advertisedPort>` (the proxy's port), so a client that bootstraps
   * through the proxy is sent back through it for every request. StartedKafka.proxyTarget says
   * where the proxy forwards to. One plain node only.
   */
  proxyListener?: { advertisedPort: number };
}

/** A cluster's server names: `kafka` alone, or `kafka-1`, `kafka-2`… (node ids 1, 2…). */
export function kafkaServerName(nodeId: number, nodes: number): string {
  return nodes === 1 ? 'kafka' : `kafka-${nodeId}`;
}

/** Whether a server's name is a Kafka node's: `kafka`, or `kafka-1`, `kafka-2`… on a cluster. */
export function isKafkaNode(name: string): boolean {
  return /^kafka(-\d+)?$/.test(name);
}

/**
 * Formats a KRaft log directory per node under `dir` (one cluster id) and starts one
 * broker+controller JVM per node, all at once (a quorum needs a majority to elect a leader);
 * resolves once every node answers a metadata request listing all of them. With `certificates`
 * the only client listener is SASL_SSL with SCRAM-SHA-512 on their server certificate, the SCRAM
 * user is created at format time, and its password is written to a file under `dir`.
 */
export async function startKafka(
  { java, release, libDir }: KafkaTools,
  dir: string,
  options: KafkaStartOptions,
): Promise<StartedKafka> {
  const { detached, wait, certificates } = options;
  const nodes = options.nodes ?? 1;
  if (!Number.isInteger(nodes) || nodes < 1)
    throw new UsageError(`expected a number of Kafka nodes of 1 or more, found ${nodes}`);
  if (options.proxyListener && (nodes > 1 || certificates))
    throw new UsageError('a proxy listener is offered on one plain (unsecured) Kafka node only');
  const proxy = options.proxyListener
    ? { port: await freePort(), advertisedPort: options.proxyListener.advertisedPort }
    : undefined;
  mkdirSync(dir, { recursive: true });
  const shapes: NodeShape[] = [];
  for (let nodeId = 1; nodeId <= nodes; nodeId += 1)
    shapes.push({
      nodeId,
      nodes,
      voters: '',
      brokerPort: await freePort(),
      controllerPort: await freePort(),
      internalPort: await freePort(),
      certificates,
      proxy,
    });
  const voters = shapes.map((n) => `${n.nodeId}@127.0.0.1:${n.controllerPort}`).join(',');
  const brokers = shapes.map((n) => `127.0.0.1:${n.brokerPort}`).join(',');
  let settings: KafkaSettings = { TROUPE_KAFKA_BROKERS: brokers };
  let password: string | undefined;
  const scram: string[] = [];
  if (certificates) {
    password = randomBytes(18).toString('base64url');
    const passwordFile = path.join(dir, 'sasl-password');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    scram.push('--add-scram', `SCRAM-SHA-512=[name=${SECURED_KAFKA_USER},password=${password}]`);
    settings = {
      ...settings,
      TROUPE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
      TROUPE_KAFKA_SASL_USERNAME: SECURED_KAFKA_USER,
      TROUPE_KAFKA_SASL_PASSWORD_FILE: passwordFile,
      TROUPE_KAFKA_SSL_CA_FILE: certificates.caFile,
    };
  }
  const id = clusterId();
  const launches = await Promise.all(
    shapes.map(async (shape) => {
      const nodeDir = nodes === 1 ? dir : path.join(dir, `node-${shape.nodeId}`);
      mkdirSync(nodeDir, { recursive: true });
      const properties = path.join(nodeDir, 'server.properties');
      // A secured broker's properties hold its private key.
      writeFileSync(properties, serverProperties(nodeDir, { ...shape, voters }), { mode: 0o600 });
      const logging = writeKafkaLogging(release.logging, nodeDir);
      // A cluster's nodes share two cores and each other's memory: smaller heaps.
      const heap = nodes === 1 ? ['-Xms256m', '-Xmx1g'] : ['-Xms128m', '-Xmx512m'];
      const jvm = [...heap, '-Djava.awt.headless=true', logging, '-cp', `${libDir}/*`];
      await formatStorage(
        java,
        [...jvm, 'kafka.tools.StorageTool', 'format', '-t', id, '-c', properties, ...scram],
        password,
      );
      return { shape, nodeDir, jvm, properties };
    }),
  );
  const servers = launches.map(({ shape, nodeDir, jvm, properties }) =>
    spawnServer(kafkaServerName(shape.nodeId, nodes), java, [...jvm, 'kafka.Kafka', properties], {
      logFile: path.join(nodeDir, 'kafka.log'),
      detached,
    }),
  );
  const ready = servers.map((server, i) => {
    const shape = shapes[i]!;
    // Ready is judged as a client sees the node, unless its client listener is meant to refuse
    // clients (a test's expired certificate): then on its plaintext loopback listener.
    const connection = loadKafkaConnection(
      certificates && options.readiness?.through === 'internal'
        ? { TROUPE_KAFKA_BROKERS: `127.0.0.1:${shape.internalPort}` }
        : { ...settings, TROUPE_KAFKA_BROKERS: `127.0.0.1:${shape.brokerPort}` },
    );
    return waitUntilReady(server, () => kafkaAnswers(connection, nodes), wait);
  });
  try {
    await Promise.all(ready);
  } catch (error) {
    // One node gave up (and was stopped): the others would wait for it until their timeout.
    // Stop them all, let every wait end, and report the first failure.
    await Promise.all(servers.map((server) => stopServer(server)));
    await Promise.allSettled(ready);
    throw error;
  }
  return {
    servers,
    brokers,
    settings,
    ...(proxy ? { proxyTarget: { host: '127.0.0.1', port: proxy.port } } : {}),
  };
}

/** Formats one node's storage, as `kafka-storage.sh format` does: once per data directory. */
async function formatStorage(
  java: string,
  args: string[],
  password: string | undefined,
): Promise<void> {
  try {
    await run(java, args);
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
}

/**
 * Ready means a metadata request returns `brokers` brokers (this one among them, once it has
 * caught up with the cluster's metadata), not merely that the port accepts.
 */
export async function kafkaAnswers(connection: KafkaConnection, brokers = 1): Promise<void> {
  const admin = createKafkaDriver(connection, {
    clientId: 'troupe-devstack-probe',
    connectionTimeoutMs: 1000,
    retries: 0,
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    if (cluster.brokers.length < brokers)
      throw new Error(`metadata lists ${cluster.brokers.length} of ${brokers} brokers yet`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
