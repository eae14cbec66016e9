import { Readable } from 'node:stream';
import { parseJsonLines, readPayloads } from './input';

const context = (stdin?: Readable & { isTTY?: boolean }) => ({
  out: () => undefined,
  err: () => undefined,
  env: {},
  cwd: process.cwd(),
  ...(stdin === undefined ? {} : { stdin }),
});

describe('payload input', () => {
  it('parses --json, one object', async () => {
    expect(await readPayloads({ json: '{"a":1}' }, context())).toEqual([{ json: { a: 1 } }]);
  });

  it('names the flag when --json is not JSON, and refuses --json with --file', async () => {
    await expect(readPayloads({ json: '{"a":}' }, context())).rejects.toThrow(
      /^--json: not valid JSON \(Unexpected token '?\}'?/,
    );
    await expect(readPayloads({ json: '{}', file: 'x.json' }, context())).rejects.toThrow(
      'pass the payload with --json or --file, not both',
    );
    await expect(readPayloads({ file: 'no/such/file.json' }, context())).rejects.toThrow(
      '--file: cannot read no/such/file.json: ENOENT',
    );
  });

  it('reads one JSON value per non-blank line of stdin, labelled by line number', async () => {
    const stdin = Readable.from([Buffer.from('{"a":1}\n\n{"a"'), Buffer.from(':2}\r\n')]);
    expect(await readPayloads({}, context(stdin))).toEqual([
      { label: 'line 1', json: { a: 1 } },
      { label: 'line 3', json: { a: 2 } },
    ]);
  });

  it('fails on any bad line, naming each one, so nothing is published', () => {
    expect(() => parseJsonLines('{"a":1}\nnope\n{"a":2}\n{')).toThrow(
      /^line 2: not valid JSON \([^\n]*\)\nline 4: not valid JSON \([^\n]*\)\nnothing was published$/,
    );
    expect(() => parseJsonLines('\n  \n')).toThrow(/^stdin held no JSON lines; expected a payload/);
  });

  it('does not wait on a terminal', async () => {
    const tty = Object.assign(Readable.from([]), { isTTY: true });
    await expect(readPayloads({}, context(tty))).rejects.toThrow(
      "expected a payload: pass --json '{…}', --file <file.json>, or pipe JSON lines on stdin",
    );
  });
});
