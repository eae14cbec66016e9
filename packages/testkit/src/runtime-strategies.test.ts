import { readFileSync } from 'node:fs';
import path from 'node:path';
import { RuntimeStrategy, anyStrategyApplies, loadRuntimeStrategies } from './runtime-strategies';

function strategy(name: string, getResult: () => Promise<unknown>): RuntimeStrategy {
  return { getName: () => name, getResult };
}

describe('anyStrategyApplies', () => {
  it('is false only when every strategy says it does not apply', async () => {
    const none = [strategy('a', async () => undefined), strategy('b', async () => undefined)];
    expect(await anyStrategyApplies(none)).toBe(false);
    expect(await anyStrategyApplies([])).toBe(false);
  });

  it('is true as soon as one applies', async () => {
    const socket = { uri: 'unix:///home/me/.docker/run/docker.sock' };
    const list = [strategy('a', async () => undefined), strategy('b', async () => socket)];
    expect(await anyStrategyApplies(list)).toBe(true);
  });

  it('leaves the answer to the full detection when a strategy throws or the list is unknown', async () => {
    const broken = strategy('a', async () => {
      throw new Error('ENOENT: ca.pem');
    });
    expect(await anyStrategyApplies([broken])).toBe(true);
    expect(await anyStrategyApplies(undefined)).toBe(true);
  });
});

describe('loadRuntimeStrategies', () => {
  it('finds every strategy the installed getContainerRuntimeClient() tries', () => {
    const strategies = loadRuntimeStrategies();
    expect(strategies).toBeDefined();
    const found = new Set(strategies?.map((s) => s.getName()));
    // The list testcontainers tries, read from its source: `new <module>.<Name>Strategy()`.
    const client = readFileSync(
      path.join(
        path.dirname(require.resolve('testcontainers/package.json')),
        'build/container-runtime/clients/client.js',
      ),
      'utf8',
    );
    const tried = [...client.matchAll(/new [\w$]+\.(\w+Strategy)\(\)/g)].map((m) => m[1]);
    expect(tried.length).toBeGreaterThan(0);
    for (const name of tried) expect(found).toContain(name);
  });
});
