import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GRAPH_README, REPO_ROOT, graphReadme } from './readme-section';

/**
 * `npm run docs:graph` writes the choreography (troupe.config.ts, in Mermaid) into
 * services/README.md between its markers; with `--check` it writes nothing and exits 1 when the
 * README is stale.
 */
async function main(args: readonly string[]): Promise<number> {
  const { current, generated } = await graphReadme();
  if (args.includes('--check')) {
    if (current === generated) return 0;
    process.stderr.write(`docs:graph: ${GRAPH_README} is stale: run npm run docs:graph\n`);
    return 1;
  }
  if (current !== generated) writeFileSync(path.join(REPO_ROOT, GRAPH_README), generated);
  process.stderr.write(
    `docs:graph: ${current === generated ? 'up to date' : 'wrote'} ${GRAPH_README}\n`,
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
