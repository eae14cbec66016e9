import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CliContext } from '../context';
import { run } from '../program';
import { shortName } from './choreography-graph';

/** `troupe graph` in process, on this repository's troupe.config.ts and on the test fixtures. */
const REPO = path.resolve(__dirname, '../../../..');
const FIXTURES = path.join(REPO, 'packages/cli/test/fixtures');
const PIPELINE = [
  'releases',
  'verifier',
  'canary',
  'telemetry',
  'watchdog',
  'rollback',
  'notifier',
];

async function troupe(args: string[], cwd = REPO) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: {},
    cwd,
  };
  return { code: await run(args, context), out, err };
}

const fixture = (name: string) => path.join(FIXTURES, name, 'troupe.config.ts');

/** The event types of schemas/ (file names under each domain folder). */
async function schemaTypes(): Promise<string[]> {
  const dir = path.join(REPO, 'schemas');
  const names: string[] = [];
  for (const domain of await readdir(dir, { withFileTypes: true }))
    if (domain.isDirectory())
      for (const file of await readdir(path.join(dir, domain.name)))
        if (file.endsWith('.avsc')) names.push(file.replace(/\.avsc$/, ''));
  return names.sort();
}

describe('troupe graph on this repository', () => {
  it('draws the seven pipeline services and every event type of schemas/ in Mermaid', async () => {
    const { code, out, err } = await troupe(['graph', '--format', 'mermaid']);
    expect([code, err]).toEqual([0, []]);
    const text = out.join('\n');
    expect(out[0]).toBe('flowchart LR');
    const services = [...text.matchAll(/^ {2}service_\w+\["([^"]+)"\]$/gm)].map((m) => m[1]);
    expect(services).toEqual([...PIPELINE].sort());
    const types = [...text.matchAll(/^ {4}event_\w+\("([^"]+)"\)$/gm)].map((m) => m[1]);
    expect([...new Set(types)].sort()).toEqual(await schemaTypes());
  });

  it('passes the choreography check, counting the allowed finding', async () => {
    const { code, out, err } = await troupe(['graph', '--check']);
    expect({ code, out, err }).toEqual({
      code: 0,
      out: ['choreography ok: 7 services, 9 event types, 3 topics (1 finding allowed)'],
      err: [],
    });
  });

  it('with --verbose, says which finding is allowed and why', async () => {
    const { code, out } = await troupe(['graph', '--check', '--verbose']);
    expect(code).toBe(0);
    expect(out[0]).toMatch(
      /^allowed: unconsumed: troupe\.alerts\.AlertRaised is published by notifier \(to alerts\.events\) and handled by no service — by \{ rule: unconsumed, eventType: troupe\.alerts\.AlertRaised \}: .+/,
    );
  });

  it('writes --out instead of printing, the same text every time', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'troupe-graph-'));
    try {
      for (const format of ['dot', 'svg']) {
        const file = path.join(dir, `graph.${format}`);
        const first = await troupe(['graph', '--format', format, '--out', file]);
        expect([first.code, first.out, first.err]).toEqual([
          0,
          [],
          [`troupe graph: wrote ${file}`],
        ]);
        const text = await readFile(file, 'utf8');
        await troupe(['graph', '--format', format, '--out', file]);
        expect(await readFile(file, 'utf8')).toBe(text);
      }
      expect(await readFile(path.join(dir, 'graph.dot'), 'utf8')).toContain(
        'tooltip="troupe.releases.RolledBack"',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('troupe graph, each failure one line and exit 1', () => {
  it.each<[string, string[], string]>([
    [
      'an event nobody consumes (fixture orphan-event)',
      ['graph', '--check', '--config', fixture('orphan-event')],
      'troupe: unconsumed: troupe.orders.OrderShipped is published by shipping (to orders.events) and handled by no service',
    ],
    [
      'a service file that does not load (fixture broken-service)',
      ['graph', '--config', fixture('broken-service')],
      'troupe: shipping.ts: does not load: connect ECONNREFUSED 127.0.0.1:5432',
    ],
    [
      'a definition that fails validation (fixture invalid-definition)',
      ['graph', '--check', '--config', fixture('invalid-definition')],
      'troupe: shipping.ts: service "shipping": expected a non-empty list of topic names in "topics", found []',
    ],
    [
      'an unknown format',
      ['graph', '--format', 'png'],
      'troupe: --format: expected one of mermaid, dot, svg, found "png"',
    ],
    [
      'a config file that does not exist',
      ['graph', '--config', 'nowhere/troupe.config.ts'],
      'troupe: nowhere/troupe.config.ts: does not exist',
    ],
  ])('%s', async (_title, args, line) => {
    expect(await troupe(args)).toEqual({ code: 1, out: [], err: [line] });
  });

  it('draws the orphan-event fixture from its own folder by default', async () => {
    const { code, out } = await troupe(['graph'], path.join(FIXTURES, 'orphan-event'));
    expect(code).toBe(0);
    expect(out).toContain('  service_shipping --> event_orders_events_OrderShipped');
    expect(
      out.filter((line) => line.includes(shortName('troupe.orders.OrderShipped'))),
    ).toHaveLength(2);
  });
});
