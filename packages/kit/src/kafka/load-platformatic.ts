import { ConfigError } from '../errors';
import type { PlatformaticDriver } from './platformatic/driver';

/** The oldest Node.js @platformatic/kafka 2.x runs on (its engines field; older ones lack e.g. Promise.withResolvers). */
export const PLATFORMATIC_MIN_NODE = '22.22.0';

const SETTING = 'TROUPE_KAFKA_DRIVER=platformatic';

type PlatformaticModule = { PlatformaticDriver: typeof PlatformaticDriver };

/**
 * The platformatic driver's class, loaded on first use: a synchronous `require` at call time, so
 * that the default driver never loads @platformatic/kafka (an ES module, and an optional
 * install) and Node.js versions it does not run on never parse it. Refuses, as a ConfigError in
 * one line saying what to change, a Node.js that is too old or a missing package.
 * `nodeVersion` and `load` are there for tests.
 */
export function loadPlatformaticDriver(
  nodeVersion: string = process.versions.node,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose (see above)
  load: () => PlatformaticModule = () => require('./platformatic/driver') as PlatformaticModule,
): typeof PlatformaticDriver {
  if (compareVersions(nodeVersion, PLATFORMATIC_MIN_NODE) < 0)
    throw new ConfigError(
      SETTING,
      `Node.js >= ${PLATFORMATIC_MIN_NODE} (what @platformatic/kafka runs on; kafkajs, the default, runs here)`,
      `v${nodeVersion}`,
    );
  try {
    return load().PlatformaticDriver;
  } catch (error) {
    if (!isMissingModule(error, '@platformatic/kafka')) throw error;
    throw new ConfigError(
      SETTING,
      'the @platformatic/kafka package, found it not installed: npm install @platformatic/kafka',
    );
  }
}

/** Node's (and jest's) "Cannot find module 'name'" for `name` itself, not for one of its dependencies. */
function isMissingModule(error: unknown, name: string): boolean {
  return (
    error instanceof Error &&
    (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
    error.message.includes(`'${name}'`)
  );
}

/** Negative, zero or positive as `a` is older than, the same as or newer than `b` (x.y.z). */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => v.split('.').map((part) => parseInt(part, 10) || 0));
  for (let i = 0; i < 3; i++) {
    const diff = (x![i] ?? 0) - (y![i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}
