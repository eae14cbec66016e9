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
 * The servers the demo runs against: those named by the four TROUPE_* settings when all are set
 * (their TLS and authentication settings reach the services with every other TROUPE_* setting),
 * otherwise a local stack started now (devstack: Kafka, Redis, PostgreSQL and the registry as local
 * processes in a temporary directory) and stopped, data removed, by `stop()`. With `keep`, the
 * local stack is the background one `npm run stack:up` runs (reused when it runs already, then
 * shared with whatever used it before) and `stop()` leaves it up. `secure` asks for the secured
 * local stack (see @troupe/devstack StartOptions.secure) even when the four settings are set.
 */
export async function ensureStack(
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  keep = false,
  secure = false,
): Promise<DemoStack> {
  const given = NAMES.filter((name) => env[name]);
  if (given.length === NAMES.length && secure)
    log('--secure: starting a secured local stack rather than the one TROUPE_* names');
  else if (given.length === NAMES.length) {
    const settings = Object.fromEntries(
      NAMES.map((name) => [name, env[name] as string]),
    ) as unknown as StackSettings;
    log(`using the stack named by TROUPE_* (Kafka ${settings.TROUPE_KAFKA_BROKERS})`);
    return { settings, owned: false, stop: async () => undefined };
  } else if (given.length > 0)
    log(`only ${given.join(', ')} set: starting a complete local stack instead`);
  if (keep) {
    // Without --secure, whichever background stack runs will do.
    const { stack, reused } = await upBackgroundStack(log, secure ? { secure } : {});
    return {
      settings: stack.settings,
      owned: !reused,
      reachWith: 'eval "$(npm run -s stack:status)"',
      stop: async () => undefined,
    };
  }
  log(
    `starting a ${secure ? 'secured ' : ''}local stack (Kafka, Redis, PostgreSQL, schema registry)…`,
  );
  const started = Date.now();
  const stack = await startLocalStack({ detached: false, log, secure });
  log(`local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  let stopped: Promise<void> | undefined;
  return { settings: stack.settings, owned: true, stop: () => (stopped ??= stopLocalStack(stack)) };
}
