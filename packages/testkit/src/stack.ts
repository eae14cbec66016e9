import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type KafkaSettings,
  StackSettings,
  type StartOptions,
  startLocalStack,
  type StackServers,
  startRegistryProcess,
  stackServers,
  stopLocalStack,
  stopServer,
} from '@troupe/devstack';
import { SourceChoice, chooseStackSource } from './choose-source';
import { probeContainerRuntime } from './docker';

/** The stack the tests run against: its TROUPE_* settings, where it came from, and how to stop it. */
export interface RunningStack extends SourceChoice {
  settings: StackSettings;
  /** Seconds the stack took to come up (0 when it was already there). */
  startupSeconds: number;
  /**
   * Its servers, to kill, pause, resume or restart in place (same ports, same data) in a fault
   * test: `stack.servers?.kill('kafka')`. Only on a devstack that startStack started: servers
   * named by TROUPE_* settings are not the test's to kill, and a container testcontainers
   * restarts may come back on another host port, which the broker does not advertise.
   */
  servers?: StackServers;
  stop(): Promise<void>;
}

let current: RunningStack | undefined;

/**
 * Starts (or adopts) a Kafka + Redis + PostgreSQL + schema registry stack and returns its
 * settings. Says which source it chose and why through `log`. `secure` starts the devstack's
 * secured stack (see @troupe/devstack StartOptions.secure) and `kafkaNodes: 3` its replicated
 * Kafka cluster (StartOptions.kafkaNodes; its nodes are `kafka-1`… in `servers`); given TROUPE_*
 * settings still win, with whatever security and nodes they name.
 */
export async function startStack(
  options: { log?: (line: string) => void } & Pick<StartOptions, 'secure' | 'kafkaNodes'> = {},
): Promise<RunningStack> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  const choice = await chooseStackSource(process.env, () => probeContainerRuntime(), {
    secure: options.secure,
    kafkaNodes: options.kafkaNodes,
  });
  log(`troupe testkit: using ${choice.source} (${choice.reason})`);
  let settings: StackSettings;
  let stop: () => Promise<void>;
  let servers: StackServers | undefined;
  if (choice.source === 'env') {
    ({ settings, stop } = await adoptFromEnv());
  } else if (choice.source === 'testcontainers') {
    // Loaded only here: users without a container runtime never load all of testcontainers.
    const { startContainerStack } = await import('./containers');
    ({ settings, stop } = await startContainerStack());
  } else {
    const stack = await startLocalStack({
      detached: false,
      secure: options.secure,
      kafkaNodes: options.kafkaNodes,
    });
    settings = stack.settings;
    stop = () => stopLocalStack(stack);
    servers = stackServers(stack);
  }
  current = { ...choice, settings, startupSeconds: (Date.now() - started) / 1000, servers, stop };
  return current;
}

/** Stops the stack startStack started, if any (nothing, when it came from TROUPE_* settings). */
export async function stopStack(): Promise<void> {
  const stack = current;
  current = undefined;
  await stack?.stop();
}

/** Uses the servers named by TROUPE_*; only the schema registry is started when none is named. */
async function adoptFromEnv(): Promise<{ settings: StackSettings; stop: () => Promise<void> }> {
  const env = process.env;
  const required = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  // A secured cluster's TLS and SASL settings go wherever its brokers go (the driver choice stays each process's own).
  const kafka: KafkaSettings = {
    ...Object.fromEntries(
      Object.entries(env).filter(
        ([name, value]) =>
          name.startsWith('TROUPE_KAFKA_') && name !== 'TROUPE_KAFKA_DRIVER' && value !== undefined,
      ),
    ),
    TROUPE_KAFKA_BROKERS: required('TROUPE_KAFKA_BROKERS'),
  };
  const base = {
    ...kafka,
    TROUPE_REDIS_URL: required('TROUPE_REDIS_URL'),
    TROUPE_DATABASE_URL: required('TROUPE_DATABASE_URL'),
  };
  if (env.TROUPE_SCHEMA_REGISTRY_URL) {
    return {
      settings: { ...base, TROUPE_SCHEMA_REGISTRY_URL: env.TROUPE_SCHEMA_REGISTRY_URL },
      stop: async () => undefined,
    };
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'troupe-registry-'));
  // Someone else's cluster may host a Confluent Schema Registry in `_schemas`: keep out of its topic.
  const registry = await startRegistryProcess(
    dir,
    kafka,
    false,
    { timeoutMs: 60_000 },
    '_troupe_schemas',
  );
  return {
    settings: { ...base, TROUPE_SCHEMA_REGISTRY_URL: registry.url },
    stop: async () => {
      await stopServer(registry.server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
