import * as path from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../program';
import type { StdinContext } from '../publish/input';

/**
 * `troupe publish` refusing what it must refuse, through `run` as a user calls it: each failure
 * comes before anything connects (the brokers and registry below do not exist), so nothing is sent.
 */
const REPO = path.resolve(__dirname, '../../../..');

async function troupe(args: string[], stdin?: string) {
  const out: string[] = [];
  const err: string[] = [];
  const context: StdinContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { TROUPE_KAFKA_BROKERS: '127.0.0.1:1', TROUPE_SCHEMA_REGISTRY_URL: 'http://127.0.0.1:1' },
    cwd: REPO,
    ...(stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(stdin)]) }),
  };
  const code = await run(args, context);
  return { code, out, err };
}

const requested = {
  releaseId: 'rel-1',
  service: 'checkout',
  version: '2.4.0',
  canaryShare: 0.1,
  requestedBy: 'ci',
  requestedAt: '2026-12-02T10:00:00Z',
};

describe('troupe publish, refusing before anything is sent', () => {
  it('an unknown event type: the close matches, else the known types', async () => {
    expect(await troupe(['publish', 'troupe.releases.ReleaseRequestd', '--json', '{}'])).toEqual({
      code: 1,
      out: [],
      err: [
        'troupe: unknown event type "troupe.releases.ReleaseRequestd": did you mean troupe.releases.ReleaseRequested?',
      ],
    });
    const none = await troupe(['publish', 'troupe.billing.InvoiceSent', '--json', '{}']);
    expect(none.err).toEqual([
      expect.stringMatching(
        /^troupe: unknown event type "troupe\.billing\.InvoiceSent": the known event types are troupe\.alerts\.AlertRaised, .*troupe\.telemetry\.RequestSamples$/,
      ),
    ]);
  });

  it('JSON that does not parse', async () => {
    const result = await troupe([
      'publish',
      'troupe.releases.ReleaseRequested',
      '--json',
      '{"releaseId":',
    ]);
    expect(result.code).toBe(1);
    expect(result.err).toEqual([expect.stringMatching(/^troupe: --json: not valid JSON \(.+\)$/)]);
  });

  it('a payload that does not match the schema: the field path and the expected type', async () => {
    const late = await troupe([
      'publish',
      'troupe.releases.ReleaseRequested',
      '--json',
      JSON.stringify({ ...requested, requestedAt: 'tomorrow' }),
    ]);
    expect(late).toEqual({
      code: 1,
      out: [],
      err: [
        'troupe: troupe.releases.ReleaseRequested: invalid payload at requestedAt: expected an ISO-8601 time such as 2026-12-02T10:00:00Z (timestamp-millis), found string "tomorrow"',
      ],
    });
    const { canaryShare: _share, ...missing } = requested;
    const share = await troupe([
      'publish',
      'troupe.releases.ReleaseRequested',
      '--json',
      JSON.stringify(missing),
    ]);
    expect(share.err).toEqual([
      'troupe: troupe.releases.ReleaseRequested: invalid payload at canaryShare: expected a number (double), found nothing (the field is missing)',
    ]);
  });

  it('JSON lines on stdin: every line is checked first, and each bad one named by its number', async () => {
    const lines = [
      JSON.stringify(requested),
      JSON.stringify({ ...requested, canaryShare: 'ten percent' }),
      '',
      '{oops',
    ].join('\n');
    const result = await troupe(['publish', 'troupe.releases.ReleaseRequested'], lines);
    expect(result.code).toBe(1);
    expect(result.out).toEqual([]);
    expect(result.err).toEqual([expect.stringMatching(/^troupe: line 4: not valid JSON \(.+\)$/)]);
    const typed = await troupe(
      ['publish', 'troupe.releases.ReleaseRequested'],
      [
        JSON.stringify(requested),
        JSON.stringify({ ...requested, canaryShare: 'ten percent' }),
      ].join('\n'),
    );
    expect(typed.err).toEqual([
      'troupe: line 2: troupe.releases.ReleaseRequested: invalid payload at canaryShare: expected a number (double), found string "ten percent"',
    ]);
  });

  it('no key: --topic to a topic topics.json gives no key field', async () => {
    const result = await troupe([
      'publish',
      'troupe.releases.ReleaseRequested',
      '--topic',
      'somewhere.else',
      '--json',
      JSON.stringify(requested),
    ]);
    expect(result.err).toEqual([
      'troupe: topic somewhere.else names no key field in schemas/topics.json: pass --key <key>',
    ]);
  });
});
