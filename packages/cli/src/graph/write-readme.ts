import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, graphReadmes } from './readme-section';

/**
 * `npm run docs:graph` writes the choreography (troupe.config.ts, in Mermaid) into the READMEs
 * between their markers; with `--check` it writes nothing and exits 1 when one is stale.
 */
async function main(args: readonly string[]): Promise<number> {
  const readmes = await graphReadmes();
  const stale = readmes.filter((readme) => readme.current !== readme.generated);
  if (args.includes('--check')) {
    for (const { file } of stale)
      process.stderr.write(`docs:graph: ${file} is stale: run npm run docs:graph\n`);
    return stale.length === 0 ? 0 : 1;
  }
  for (const { file, generated } of stale) writeFileSync(path.join(REPO_ROOT, file), generated);
  process.stderr.write(
    `docs:graph: ${stale.length === 0 ? 'up to date' : `wrote ${stale.map((r) => r.file).join(', ')}`}\n`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`docs:graph: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
