import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliContext } from '../context';
import { loadCatalog } from './load-catalog';

const repositoryRoot = path.resolve(__dirname, '../../../..');
const context = (cwd: string): CliContext => ({
  out: () => undefined,
  err: () => undefined,
  env: {},
  cwd,
});

describe('loadCatalog', () => {
  it("reads this repository's troupe.config.ts: the seven pipeline services and every schema", async () => {
    const catalog = await loadCatalog(undefined, context(repositoryRoot));
    expect(catalog.services.map((s) => s.name)).toEqual([
      'canary',
      'notifier',
      'releases',
      'rollback',
      'telemetry',
      'verifier',
      'watchdog',
    ]);
    expect(catalog.services.find((s) => s.name === 'watchdog')).toMatchObject({
      file: 'services/watchdog/src/catalog.ts',
      groups: ['watchdog', 'watchdog.retry'],
      consumes: [{ eventType: 'troupe.telemetry.RequestSamples', topics: ['telemetry.samples'] }],
      publishes: [
        { eventType: 'troupe.releases.CanaryDegraded', topic: 'releases.events', path: 'handler' },
      ],
    });
    expect(catalog.events.map((e) => e.file)).toContain('schemas/releases/Promoted.avsc');
    expect(catalog.events).toHaveLength(9);
    expect(catalog.topics.map((t) => t.name)).toEqual([
      'alerts.events',
      'releases.events',
      'telemetry.samples',
    ]);
    expect(catalog.allow).toEqual([
      expect.objectContaining({ rule: 'unconsumed', eventType: 'troupe.alerts.AlertRaised' }),
    ]);
  });

  describe('a project that is not right', () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'troupe-catalog-'));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
    const load = (config?: string) => loadCatalog(config, context(dir));

    it('without troupe.config.ts: says so, and how to pass another', async () => {
      await expect(load()).rejects.toThrow(
        /^troupe\.config\.ts: not found in .*or pass --config <file>$/,
      );
      await expect(load('elsewhere.ts')).rejects.toThrow('elsewhere.ts: does not exist');
    });

    it('a config without a service list, or naming a missing file', async () => {
      write('troupe.config.js', 'module.exports = { default: { schemas: "schemas" } };');
      await expect(load()).rejects.toThrow(
        'troupe.config.js: expected a default export defineCatalog({ services: [<service files>] })',
      );
      // Another name: this process has loaded troupe.config.js once.
      write('missing.config.js', 'module.exports = { default: { services: ["nope.js"] } };');
      await expect(load('missing.config.js')).rejects.toThrow(
        'missing.config.js: services: nope.js does not exist',
      );
    });

    it('a service file that throws while loading: the file and the first line of the error', async () => {
      write('troupe.config.js', 'module.exports = { default: { services: ["broken.js"] } };');
      write('broken.js', 'throw new Error("no such thing\\n    at somewhere");');
      await expect(load()).rejects.toThrow(/^broken\.js: does not load: no such thing$/);
    });
  });
});
