import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadKafkaConnection, registryClientFromConfig } from '@troupe/kit';
import { loadSchemaRegistrySettings } from '@troupe/kit/internal';
import { readCurrentStack, rememberCurrentStack } from './current-stack';
import { UsageError } from './errors';
import { isKafkaNode, kafkaAnswers } from './kafka';
import { postgresAnswers, removeStalePostmasterLocks } from './postgres';
import { redisAnswers } from './redis';
import {
  isAlive,
  respawnServer,
  serverAlive,
  type ServerHandle,
  signal,
  stopServer,
} from './server-process';
import { type LocalStack, STACK_FILE } from './stack';
import { waitUntilReady } from './wait';

/**
 * One of a stack's servers, as `stack:status` names it: `kafka` (or `kafka-1`, `kafka-2`… on a
 * cluster, see StartOptions.kafkaNodes), `redis`, `postgresql`, `schema-registry`.
 */
export type ServerName = string;

/**
 * Faults on a running stack's servers, for tests and for `npm run stack:kill|pause|resume|restart`:
 * a server killed, paused or restarted stays the same server (same ports, same data directory),
 * and the stack's record (stack.json, and the remembered stack of `stack:up`) always names the
 * process that runs, so `stack:status` and `stack:down` stay true after each.
 */

/**
 * Sends `sig` (SIGKILL: no goodbye; SIGTERM: the server's own clean shutdown) and resolves once
 * the process is gone. Its data stays; `restartServer` brings it back.
 */
export async function killServer(
  stack: LocalStack,
  name: ServerName,
  sig: 'SIGKILL' | 'SIGTERM' = 'SIGKILL',
): Promise<void> {
  const server = serverOf(stack, name);
  if (!serverAlive(server)) return;
  signal(server, sig);
  // A paused server acts on SIGTERM only once it runs again.
  if (sig !== 'SIGKILL') signal(server, 'SIGCONT');
  while (serverAlive(server)) await new Promise((resolve) => setTimeout(resolve, 20));
}

/**
 * SIGSTOP: the process stays, its sockets stay open, and nothing answers. To a client this is a
 * server that hangs (no reset, no close), unlike a kill. `resumeServer` lets it go on.
 */
export function pauseServer(stack: LocalStack, name: ServerName): void {
  signal(running(stack, name), 'SIGSTOP');
}

/** SIGCONT: a paused server goes on where it stopped. */
export function resumeServer(stack: LocalStack, name: ServerName): void {
  signal(running(stack, name), 'SIGCONT');
}

/**
 * Stops the server if it runs (its clean shutdown), starts it again as it was first started
 * (same command, ports and data) and resolves once it answers as a client would ask it. The
 * stack's record is updated with the new process, in `stack` itself too.
 */
export async function restartServer(
  stack: LocalStack,
  name: ServerName,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const old = serverOf(stack, name);
  await stopServer(old);
  if (name === 'postgresql') removeStalePostmasterLocks(stack.dir);
  const server = respawnServer(old);
  stack.servers = stack.servers.map((s) => (s === old ? server : s));
  record(stack);
  await waitUntilReady(server, () => answers(name, stack), {
    timeoutMs: options.timeoutMs ?? 90_000,
  });
}

function serverOf(stack: LocalStack, name: ServerName): ServerHandle {
  const server = stack.servers.find((s) => s.name === name);
  if (!server)
    throw new UsageError(
      `expected one of this stack's servers (${serverNames(stack).join(', ')}), found "${name}"`,
    );
  return server;
}

function running(stack: LocalStack, name: ServerName): ServerHandle {
  const server = serverOf(stack, name);
  if (!isAlive(server.pid))
    throw new UsageError(`${name} is not running (pid ${server.pid}): restart it first`);
  return server;
}

/** The names of a stack's servers, sorted (their start order varies with who answered first). */
export function serverNames(stack: Pick<LocalStack, 'servers'>): string[] {
  return stack.servers.map((s) => s.name).sort();
}

/**
 * Asks the server as its clients do, with the stack's settings (TLS and passwords included). A
 * Kafka node is asked alone (its address is its place in TROUPE_KAFKA_BROKERS, which lists the
 * nodes in server order) and is ready once its metadata lists every node of the cluster.
 */
function answers(name: ServerName, stack: LocalStack): Promise<void> {
  const env = Object.fromEntries(Object.entries(stack.settings));
  const kafkaNodes = stack.servers.filter((s) => isKafkaNode(s.name));
  if (kafkaNodes.some((s) => s.name === name)) {
    const address =
      stack.settings.TROUPE_KAFKA_BROKERS.split(',')[kafkaNodes.findIndex((s) => s.name === name)];
    return kafkaAnswers(
      loadKafkaConnection({ ...env, TROUPE_KAFKA_BROKERS: address }),
      kafkaNodes.length,
    );
  }
  switch (name) {
    case 'redis':
      return redisAnswers(stack.settings);
    case 'postgresql':
      return postgresAnswers(stack.settings);
    case 'schema-registry':
      return registryClientFromConfig(
        {
          schemaRegistry: loadSchemaRegistrySettings(
            Object.fromEntries(Object.entries(stack.settings)),
          ),
        },
        { timeoutMs: 1000 },
      )
        .subjects()
        .then(() => undefined);
    default:
      throw new UsageError(`no way to ask ${name} whether it answers`);
  }
}

/** Writes the stack's record where it is kept: its stack.json, and the remembered stack of stack:up. */
function record(stack: LocalStack): void {
  const file = path.join(stack.dir, STACK_FILE);
  if (existsSync(stack.dir)) writeFileSync(file, JSON.stringify(stack, null, 2));
  if (readCurrentStack()?.dir === stack.dir) rememberCurrentStack(stack);
}

/** A stack's servers under a test's control: the faults above, bound to one stack. */
export interface StackServers {
  kill(name: ServerName, sig?: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  pause(name: ServerName): void;
  resume(name: ServerName): void;
  restart(name: ServerName, options?: { timeoutMs?: number }): Promise<void>;
}

export function stackServers(stack: LocalStack): StackServers {
  return {
    kill: (name, sig) => killServer(stack, name, sig),
    pause: (name) => pauseServer(stack, name),
    resume: (name) => resumeServer(stack, name),
    restart: (name, options) => restartServer(stack, name, options),
  };
}
