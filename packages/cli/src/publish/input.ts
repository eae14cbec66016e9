import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CliFailure, type CliContext } from '../context';

/** One payload to publish, as parsed JSON, and how messages name it (`line 3`), if they must. */
export interface PayloadInput {
  label?: string;
  json: unknown;
}

/**
 * The CLI's context with standard input, for `troupe publish` reading JSON lines. `run` passes a
 * plain CliContext: then stdin is the process's.
 */
export interface StdinContext extends CliContext {
  stdin?: AsyncIterable<Buffer | string> & { isTTY?: boolean };
}

/** Shown when stdin is a terminal and neither --json nor --file was given. */
const HOW_TO_GIVE =
  "expected a payload: pass --json '{…}', --file <file.json>, or pipe JSON lines on stdin";

/**
 * The payloads: `--json` text, or the one JSON value in `--file`, or one per non-blank line of
 * stdin. Every line is parsed before anything is returned: one bad line fails them all, naming
 * each bad line (up to ten).
 */
export async function readPayloads(
  flags: { json?: string; file?: string },
  context: StdinContext,
): Promise<PayloadInput[]> {
  if (flags.json !== undefined && flags.file !== undefined)
    throw new CliFailure('pass the payload with --json or --file, not both');
  if (flags.json !== undefined) return [{ json: parseJson(flags.json, '--json') }];
  if (flags.file !== undefined) {
    const file = path.resolve(context.cwd, flags.file);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new CliFailure(
        `--file: cannot read ${flags.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
    return [{ json: parseJson(text, flags.file) }];
  }
  const stdin = context.stdin ?? process.stdin;
  if (stdin.isTTY) throw new CliFailure(HOW_TO_GIVE);
  return parseJsonLines(await readAll(stdin));
}

/** One JSON value per non-blank line; a CliFailure naming every bad line (up to ten). */
export function parseJsonLines(text: string): PayloadInput[] {
  const inputs: PayloadInput[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    const label = `line ${i + 1}`;
    try {
      inputs.push({ label, json: JSON.parse(line) as unknown });
    } catch (error) {
      problems.push(`${label}: not valid JSON (${jsonErrorText(error)})`);
    }
  });
  if (problems.length > 0) throw failureOf(problems);
  if (inputs.length === 0) throw new CliFailure(`stdin held no JSON lines; ${HOW_TO_GIVE}`);
  return inputs;
}

/** Several self-contained problem lines as one failure, at most ten of them and a count. */
export function failureOf(problems: string[]): CliFailure {
  const shown = problems.slice(0, 10);
  if (problems.length > shown.length)
    shown.push(`… and ${problems.length - shown.length} more; nothing was published`);
  else if (problems.length > 1) shown.push('nothing was published');
  return new CliFailure(shown.join('\n'));
}

function parseJson(text: string, shownAs: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliFailure(`${shownAs}: not valid JSON (${jsonErrorText(error)})`);
  }
}

/** JSON.parse's reason without the input it repeats on newer Nodes. */
function jsonErrorText(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/, ".*" is not valid JSON$/s, '').replace(/\s+/g, ' ');
}

async function readAll(stream: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
