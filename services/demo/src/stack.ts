import {
  StackSettings,
  startLocalStack,
  stopLocalStack,
  upBackgroundStack,
} from '@troupe/devstack';

export interface DemoStack {
  settings: StackSettings;
  /** True when the stack is the demo's own (a new one, not shared): topics get their real names. */
  owned: boolean;
  /** How a person points a shell at it afterwards; set when the stack stays up after the demo. */
  reachWith?: string;
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
 * processes in a temporary directory) and stopped, data removed, by `stop()`. With `keep`, the
 * local stack is the background one `npm run stack:up` runs (reused when it runs already, then
 * shared with whatever used it before) and `stop()` leaves it up.
 */
export async function ensureStack(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  keep = false,
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
  if (keep) {
    const { stack, reused } = await upBackgroundStack(log);
    return {
      settings: stack.settings,
      owned: !reused,
      reachWith: 'eval "$(npm run -s stack:status)"',
      stop: async () => undefined,
    };
  }
  log('starting a local stack (Kafka, Redis, PostgreSQL, schema registry)…');
  const started = Date.now();
  const stack = await startLocalStack({ detached: false, log });
  log(`local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let stopped: Promise<void> | undefined;
  return { settings: stack.settings, owned: true, stop: () => (stopped ??= stopLocalStack(stack)) };
}
