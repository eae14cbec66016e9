import type { RuntimeProbe } from './docker';

/**
 * Where the test stack comes from, in the order users expect: settings they gave us win; then
 * containers when testcontainers reaches a container runtime (what CI services usually have);
 * then local processes.
 */
export type StackSource = 'env' | 'testcontainers' | 'devstack';

export const SETTING_NAMES = [
  'TROUPE_KAFKA_BROKERS',
  'TROUPE_REDIS_URL',
  'TROUPE_DATABASE_URL',
] as const;

/** Where the tests' servers come from, and why. */
export interface SourceChoice {
  source: StackSource;
  reason: string;
}

/**
 * `probeRuntime` is called only when the choice depends on it: not when the TROUPE_* settings are
 * given, nor with TROUPE_STACK=devstack, nor for a secured stack (`secure`) or a Kafka cluster
 * (`kafkaNodes` above 1), which only the devstack starts: the container stack is one plain broker.
 */
export async function chooseStackSource(
  env: Record<string, string | undefined>,
  probeRuntime: () => Promise<RuntimeProbe>,
  options: { secure?: boolean; kafkaNodes?: number } = {},
): Promise<SourceChoice> {
  const given = SETTING_NAMES.filter((name) => env[name]);
  if (given.length === SETTING_NAMES.length) {
    return { source: 'env', reason: `${SETTING_NAMES.join(', ')} are set` };
  }
  if (given.length > 0) {
    // Half a configuration is a mistake, not a request for a new stack next to it.
    const missing = SETTING_NAMES.filter((name) => !env[name]);
    throw new Error(
      `${given.join(', ')} set but ${missing.join(', ')} missing: set all of them, or none to start a stack`,
    );
  }
  if (env.TROUPE_STACK === 'devstack')
    return { source: 'devstack', reason: 'TROUPE_STACK=devstack' };
  if (options.secure)
    return { source: 'devstack', reason: 'a secured stack runs as local processes' };
  if ((options.kafkaNodes ?? 1) > 1)
    return { source: 'devstack', reason: 'a Kafka cluster runs as local processes' };
  const probe = await probeRuntime();
  if (probe.found)
    return { source: 'testcontainers', reason: `testcontainers reaches ${probe.runtime}` };
  return { source: 'devstack', reason: `${probe.reason}; starting local processes` };
}
