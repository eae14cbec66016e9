/**
 * Where the test stack comes from, in the order users expect: settings they gave us win; then
 * containers when a Docker engine answers (what CI services usually have); then local processes.
 */
export type StackSource = 'env' | 'testcontainers' | 'devstack';

export const SETTING_NAMES = [
  'TROUPE_KAFKA_BROKERS',
  'TROUPE_REDIS_URL',
  'TROUPE_DATABASE_URL',
] as const;

export interface SourceChoice {
  source: StackSource;
  reason: string;
}

export function chooseStackSource(
  env: Record<string, string | undefined>,
  dockerAnswers: boolean,
): SourceChoice {
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
  if (dockerAnswers) return { source: 'testcontainers', reason: 'a Docker engine answers' };
  return { source: 'devstack', reason: 'no Docker engine answers; starting local processes' };
}
