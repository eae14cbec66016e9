import { StackSettings, startLocalStack, stopLocalStack } from '@troupe/devstack';

export interface DemoStack {
  settings: StackSettings;
  /** True when this process started the stack (and must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

const NAMES = [
  'TROUPE_KAFKA_BROKERS',
  'TROUPE_REDIS_URL',
  'TROUPE_DATABASE_URL',
  'TROUPE_SCHEMA_REGISTRY_URL',
] as const;

/**
 * The servers the demo runs against: those named by the four TROUPE_* settings when all are set,
 * otherwise a local stack started now (devstack: Kafka, Redis, PostgreSQL and the registry as local
 * processes in a temporary directory) and stopped, data removed, by `stop()`.
 */
export async function ensureStack(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<DemoStack> {
  const given = NAMES.filter((name) => env[name]);
  if (given.length === NAMES.length) {
    const settings = Object.fromEntries(
      NAMES.map((name) => [name, env[name] as string]),
    ) as unknown as StackSettings;
    log(`using the stack named by TROUPE_* (Kafka ${settings.TROUPE_KAFKA_BROKERS})`);
    return { settings, owned: false, stop: async () => undefined };
  }
  if (given.length > 0)
    log(`only ${given.join(', ')} set: starting a complete local stack instead`);
  log('starting a local stack (Kafka, Redis, PostgreSQL, schema registry)…');
  const started = Date.now();
  const stack = await startLocalStack({ detached: false, log });
  log(`local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let stopped: Promise<void> | undefined;
  return { settings: stack.settings, owned: true, stop: () => (stopped ??= stopLocalStack(stack)) };
}
