import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type KafkaSettings, isKafkaNode, startKafka } from './kafka';
import { type PostgresSettings, startPostgres } from './postgres';
import { type RedisSettings, startRedis } from './redis';
import { type RegistryClientSettings, startRegistry } from './registry';
import type { RegistryAccount } from './registry-users';
import { makeStackCertificates } from './certificates';
import { ServerHandle, stopServer } from './server-process';
import { findStackTools } from './stack-tools';
import { StartInterruptedError } from './errors';

/**
 * Connection settings, named as every Troupe service and test reads them. A secured stack's Kafka
 * adds its CA file, SASL mechanism, user and password file (never the password itself); its Redis
 * and PostgreSQL add their password files and the CA file.
 */
export interface StackSettings
  extends KafkaSettings, RedisSettings, PostgresSettings, Partial<RegistryClientSettings> {
  TROUPE_SCHEMA_REGISTRY_URL: string;
}

/** Everything needed to stop the stack later, from this process or another: plain JSON. */
export interface LocalStack {
  dir: string;
  settings: StackSettings;
  servers: ServerHandle[];
  startedAt: string;
  startupMs: number;
  /** Milliseconds from the start until each server answered, to see where start-up time goes. */
  readyAfterMs: Record<string, number>;
  /** A secured stack's read-only registry account, for tests; not among the printed settings. */
  registryReader?: RegistryAccount;
  /** With StartOptions.kafkaProxyListener: the listener a proxy in front of Kafka forwards to. */
  kafkaProxyTarget?: { host: string; port: number };
}

/** How startLocalStack starts the servers. */
export interface StartOptions {
  /** Detach the servers so they outlive this process (`stack:up`); tests keep them attached. */
  detached?: boolean;
  /** How long each server gets to answer. Default 90 s. */
  timeoutMs?: number;
  /** Progress lines for a person (what started, when each answered). */
  log?: (line: string) => void;
  /** Aborting stops what was started so far and rejects with StartInterruptedError. */
  signal?: AbortSignal;
  /**
   * Kafka's only client listener is SASL_SSL (SCRAM-SHA-512, a CA made for this run; see
   * startKafka), and the registry stores its schemas over it. Redis speaks TLS only and
   * PostgreSQL TLS only over TCP, each with a password random per run (see startRedis,
   * startPostgres). The registry serves HTTPS with a certificate of the same CA and lets in
   * only `troupe` (read-write, in the settings) and `troupe-reader` (read-only,
   * LocalStack.registryReader), their random passwords in files.
   */
  secure?: boolean;
  /**
   * How many Kafka nodes (default 1), each a broker and a controller, named `kafka-1`…
   * when more than one. Three or more replicate every topic three times with
   * min.insync.replicas=2 unless the topic says otherwise, so one node may die without losing an
   * acknowledged record (see startKafka).
   */
  kafkaNodes?: number;
  /**
   * A second Kafka listener, for a TCP proxy a fault test puts between a client and the broker:
   * advertised as `127.0.0.1:<advertisedPort>`, the proxy's port (see startKafka); the proxy
   * forwards to LocalStack.kafkaProxyTarget. One plain node only.
   */
  kafkaProxyListener?: { advertisedPort: number };
}

/** Whether a stack's Kafka is the secured one (its settings name a SASL mechanism). */
export function isSecured(stack: Pick<LocalStack, 'settings'>): boolean {
  return stack.settings.TROUPE_KAFKA_SASL_MECHANISM !== undefined;
}

/** How many Kafka nodes a stack runs. */
export function kafkaNodeCount(stack: Pick<LocalStack, 'servers'>): number {
  return stack.servers.filter((s) => isKafkaNode(s.name)).length;
}

/** The file, in the stack's data directory, that describes a started stack (LocalStack as JSON). */
export const STACK_FILE = 'stack.json';

/**
 * Starts Kafka, Redis, PostgreSQL and the registry as local processes in a new data directory;
 * resolves once each answers. A failure stops what was started and deletes the directory.
 */
export async function startLocalStack(options: StartOptions = {}): Promise<LocalStack> {
  const detached = options.detached ?? false;
  const wait = { timeoutMs: options.timeoutMs ?? 90_000, signal: options.signal };
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  // Before anything is created or spawned: a missing prerequisite leaves nothing behind.
  const tools = await findStackTools(log);
  if (options.signal?.aborted) throw new StartInterruptedError();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'troupe-stack-'));
  // Traversable by the account PostgreSQL runs as when we are root; the contents stay private.
  chmodSync(dir, 0o711);
  // Servers that answered. One that failed to answer was already stopped by its own start
  // (waitUntilReady), so these are all that can still be running.
  const servers: ServerHandle[] = [];
  const readyAfterMs: Record<string, number> = {};
  const track = <T extends { server: ServerHandle } | { servers: ServerHandle[] }>(ready: T): T => {
    for (const server of 'servers' in ready ? ready.servers : [ready.server]) {
      servers.push(server);
      readyAfterMs[server.name] = Date.now() - started;
    }
    return ready;
  };
  try {
    // One CA for the run: every secured server presents a certificate it signed.
    const certificates = options.secure
      ? await makeStackCertificates(path.join(dir, 'certificates'))
      : undefined;
    const starting = [
      startKafka(tools.kafka, path.join(dir, 'kafka'), {
        detached,
        wait,
        certificates,
        nodes: options.kafkaNodes,
        proxyListener: options.kafkaProxyListener,
      }).then(track),
      startRedis(tools.redisServer, path.join(dir, 'redis'), detached, wait, certificates).then(
        track,
      ),
      startPostgres(tools.postgres, path.join(dir, 'postgres'), detached, wait, certificates).then(
        track,
      ),
    ] as const;
    const [kafka, redis, postgres] = await Promise.all(starting).catch(async (error: unknown) => {
      // The first failure is the one reported, but the others are let finish first: one still
      // starting would otherwise spawn its server after the cleanup, into a deleted directory.
      await Promise.allSettled(starting);
      throw error;
    });
    log(
      `kafka ${tools.kafka.release.version} ${kafka.brokers}${kafka.servers.length > 1 ? ` (${kafka.servers.length} nodes)` : ''}${options.secure ? ' (SASL_SSL)' : ''}, redis ${redis.url}, postgresql ${postgres.url}`,
    );
    if (wait.signal?.aborted) throw new StartInterruptedError();
    const registry = track(
      await startRegistry(dir, kafka.settings, detached, wait, undefined, certificates),
    );
    const stack: LocalStack = {
      dir,
      settings: {
        ...kafka.settings,
        ...redis.settings,
        ...postgres.settings,
        TROUPE_SCHEMA_REGISTRY_URL: registry.url,
        ...registry.secured?.settings,
      },
      ...(registry.secured ? { registryReader: registry.secured.reader } : {}),
      ...(kafka.proxyTarget ? { kafkaProxyTarget: kafka.proxyTarget } : {}),
      servers,
      startedAt: new Date(started).toISOString(),
      startupMs: Date.now() - started,
      readyAfterMs,
    };
    writeFileSync(path.join(dir, STACK_FILE), JSON.stringify(stack, null, 2));
    return stack;
  } catch (error) {
    // Every start has settled: stop what came up and wait for it to exit, and only then delete
    // the data it was using. The failure is what the caller sees.
    await stopLocalStack({ dir, servers });
    throw error;
  }
}

/** Stops the servers in reverse start order (the registry, which writes to Kafka, first) and removes their data. */
export async function stopLocalStack(stack: Pick<LocalStack, 'dir' | 'servers'>): Promise<void> {
  for (const server of [...stack.servers].reverse()) await stopServer(server);
  rmSync(stack.dir, { recursive: true, force: true });
}

/**
 * The settings as shell `export NAME='value'` lines: `eval "$(npm run -s stack:up)"` exports them,
 * and when stack:up fails it prints none (the reason goes to stderr), so the eval changes nothing
 * (a bare `export $(…)` with no words would instead list the whole environment).
 */
export function settingsLines(settings: StackSettings): string {
  return Object.entries(settings)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `export ${name}=${shellQuoted(value)}`)
    .join('\n');
}

function shellQuoted(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
