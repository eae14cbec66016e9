import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** A generated file to lay out: its path decides the parser and the configuration. */
export interface Unformatted {
  file: string;
  text: string;
}

/** Markdown is left alone: the project's .prettierignore excludes *.md. */
const PARSERS: Record<string, string> = { '.ts': 'typescript', '.json': 'json', '.avsc': 'json' };

/** Runs in a child process, so that prettier's own dynamic imports work wherever the CLI runs. */
const SCRIPT = `
let prettier;
try { prettier = require(require.resolve('prettier', { paths: [process.cwd()] })); }
catch { process.exit(3); }
let input = '';
process.stdin.setEncoding('utf8').on('data', (d) => (input += d)).on('end', async () => {
  const out = [];
  for (const { file, text, parser } of JSON.parse(input)) {
    const config = (await prettier.resolveConfig(file)) ?? {};
    out.push(await prettier.format(text, { ...config, parser, filepath: file }));
  }
  process.stdout.write(JSON.stringify(out));
});
`;

/**
 * Lays the files out with the project's own prettier and configuration (`.prettierrc.json`),
 * so that they pass `prettier --check` whatever the length of the names in them. The templates
 * are already laid out as prettier lays them out for a short name: a project without prettier
 * gets them as they are.
 */
export async function formatFiles(root: string, files: Unformatted[]): Promise<string[]> {
  const input = files.map(({ file, text }) => ({
    file,
    text,
    parser: PARSERS[path.extname(file)],
  }));
  const formatted = input.filter((entry) => entry.parser !== undefined);
  if (formatted.length === 0) return files.map((file) => file.text);
  const child = spawn(process.execPath, ['-e', SCRIPT], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (data: string) => (stdout += data));
  child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
  child.stdin.end(JSON.stringify(formatted));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject).on('close', resolve);
  });
  if (code === 3) return files.map((file) => file.text); // no prettier in the project
  if (code !== 0)
    throw new Error(`prettier failed on the generated files: ${stderr.trim().split('\n')[0]}`);
  const texts = JSON.parse(stdout) as string[];
  return input.map((entry, index) =>
    entry.parser === undefined
      ? entry.text
      : (texts[formatted.indexOf(entry)] ?? files[index]!.text),
  );
}
