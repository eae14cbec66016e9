import type { CliContext } from '../context';
import { run } from '../program';

/** Mistakes the flags alone reveal: reported in one line before anything connects. */
function capture(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const context: CliContext = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    cwd: '/',
  };
  return { context, out, err };
}

describe('topics, dlq and trace commands without a cluster', () => {
  it.each([[['topics', 'list']], [['dlq', 'list', 'a.dlq']], [['trace', 'abc', '--topics', 'a']]])(
    '%j without brokers names the variable',
    async (argv) => {
      const { context, err } = capture();
      expect(await run(argv, context)).toBe(1);
      expect(err).toEqual([
        'troupe: TROUPE_KAFKA_BROKERS: expected Kafka brokers as host:port[,host:port…] (or pass --brokers)',
      ]);
    },
  );

  it('rejects a malformed --since before connecting', async () => {
    const { context, err } = capture({ TROUPE_KAFKA_BROKERS: '127.0.0.1:1' });
    expect(await run(['trace', 'abc', '--since', '3 days'], context)).toBe(1);
    expect(err).toEqual([
      'troupe: --since: expected a duration such as 30m, 1h or 2d, or an ISO-8601 time, found "3 days"',
    ]);
  });

  it('rejects a bad --limit by its flag', async () => {
    const { context, err } = capture({ TROUPE_KAFKA_BROKERS: '127.0.0.1:1' });
    expect(await run(['dlq', 'redrive', 'a.dlq', '--limit', '0'], context)).toBe(1);
    expect(err).toEqual(['troupe: --limit: expected a positive integer, found "0"']);
  });

  it('--payload without a registry names the variable', async () => {
    const { context, err } = capture({ TROUPE_KAFKA_BROKERS: '127.0.0.1:1' });
    expect(await run(['trace', 'abc', '--topics', 'a', '--payload'], context)).toBe(1);
    expect(err).toEqual([
      'troupe: TROUPE_SCHEMA_REGISTRY_URL: expected the schema registry URL (or pass --registry <url>)',
    ]);
  });

  it('without --topics and no schemas/topics.json, trace says how to name the topics', async () => {
    const { context, err } = capture({ TROUPE_KAFKA_BROKERS: '127.0.0.1:1' });
    expect(await run(['trace', 'abc'], context)).toBe(1);
    expect(err).toEqual([
      'troupe: no topics.json in /, nor schemas/topics.json there or above; pass --topics a,b or --file <topics.json>',
    ]);
  });

  it('a missing topics file is one line', async () => {
    const { context, err } = capture({ TROUPE_KAFKA_BROKERS: '127.0.0.1:1' });
    expect(await run(['topics', 'plan', '/nonexistent/topics.json'], context)).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^troupe: .*topics\.json at \$: cannot read the topics file/);
  });
});
