import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * One of testcontainers' container runtime strategies (testcontainers 11: `tc.host` or
 * `docker.host` in ~/.testcontainers.properties, DOCKER_HOST, /var/run/docker.sock, the rootless
 * and Docker Desktop sockets, Windows' named pipe). `getResult()` reads environment variables and
 * files only; it opens no connection. A falsy result means the strategy does not apply.
 */
export interface RuntimeStrategy {
  getName(): string;
  getResult(): Promise<unknown>;
}

const requireHere = createRequire(__filename);

/**
 * testcontainers' own strategies, loaded from its build folder. They are internal (the package
 * exports only `getContainerRuntimeClient()`), so they are found by listing
 * `build/container-runtime/strategies`: a strategy added there is asked too. `undefined` means
 * "cannot tell" (a later testcontainers moved them); the caller then asks testcontainers in full.
 * They load in ~0.2 s where the whole package takes ~1 s.
 */
export function loadRuntimeStrategies(): RuntimeStrategy[] | undefined {
  try {
    const root = path.dirname(requireHere.resolve('testcontainers/package.json'));
    const dir = path.join(root, 'build', 'container-runtime', 'strategies');
    const strategies: RuntimeStrategy[] = [];
    for (const file of readdirSync(dir).filter((name) => name.endsWith('-strategy.js'))) {
      const exported = requireHere(path.join(dir, file)) as Record<string, unknown>;
      for (const value of Object.values(exported)) {
        if (isStrategyClass(value)) strategies.push(new value());
      }
    }
    return strategies.length > 0 ? strategies : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Could testcontainers find a runtime here at all? When no strategy applies, its
 * `getContainerRuntimeClient()` fails without trying a connection, so "no" is final. A strategy
 * that throws counts as applying, and so does an unknown list: the full detection decides those.
 */
export async function anyStrategyApplies(
  strategies: readonly RuntimeStrategy[] | undefined,
): Promise<boolean> {
  if (!strategies) return true;
  for (const strategy of strategies) {
    try {
      if (await strategy.getResult()) return true;
    } catch {
      return true;
    }
  }
  return false;
}

function isStrategyClass(value: unknown): value is new () => RuntimeStrategy {
  if (typeof value !== 'function') return false;
  const prototype = (value as { prototype?: Partial<RuntimeStrategy> }).prototype;
  return typeof prototype?.getResult === 'function' && typeof prototype.getName === 'function';
}
