import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as prettier from 'prettier';
import { CliFailure, type CliContext } from '../context';
import { generateContractsSource } from '../typegen/typegen';
import type { Contracts } from './contracts';

/** Where the generated file goes by default, relative to the folder holding schemas/. */
export const GENERATED_FILE = path.join('packages', 'contracts', 'src', 'generated.ts');

export function defaultGeneratedFile(contracts: Contracts): string {
  return path.join(path.dirname(contracts.schemasDir), GENERATED_FILE);
}

/** The generated TypeScript for `contracts`, formatted with the repository's prettier settings. */
export async function renderContracts(contracts: Contracts): Promise<string> {
  const schemas = contracts.catalog.entries().map((entry) => ({
    name: entry.name,
    schema: entry.schema,
    source: path.relative(contracts.schemasDir, entry.source).split(path.sep).join('/'),
  }));
  const source = generateContractsSource(schemas, contracts.topics);
  // Settings of the repository holding the schemas, whatever --out says: same input, same bytes.
  const config =
    (await prettier.resolveConfig(path.join(contracts.schemasDir, 'generated.ts'))) ?? {};
  return prettier.format(source, { ...config, parser: 'typescript' });
}

/** Writes the generated file, or with `check` fails when the committed one differs. */
export async function generateContracts(
  contracts: Contracts,
  outFile: string,
  check: boolean,
  context: CliContext,
): Promise<void> {
  const generated = await renderContracts(contracts);
  const shown = path.relative(context.cwd, outFile) || outFile;
  const current = await readFile(outFile, 'utf8').catch(() => undefined);
  if (check) {
    if (current === undefined)
      throw new CliFailure(`${shown} does not exist: run troupe schemas generate`);
    if (current !== generated) {
      throw new CliFailure(
        `${shown} is stale (${firstDifference(current, generated)}): run troupe schemas generate`,
      );
    }
    context.out(`${shown} is up to date`);
    return;
  }
  if (current === generated) {
    context.out(`${shown} is up to date`);
    return;
  }
  await writeFile(outFile, generated);
  context.out(
    `wrote ${shown} (${contracts.catalog.eventTypes.length} event types, ${contracts.topics.length} topics)`,
  );
}

function firstDifference(found: string, expected: string): string {
  const foundLines = found.split('\n');
  const expectedLines = expected.split('\n');
  for (let i = 0; i < Math.max(foundLines.length, expectedLines.length); i++) {
    if (foundLines[i] !== expectedLines[i]) {
      const show = (line: string | undefined) =>
        line === undefined ? 'end of file' : JSON.stringify(line.trim().slice(0, 60));
      return `line ${i + 1}: expected ${show(expectedLines[i])}, found ${show(foundLines[i])}`;
    }
  }
  return 'differs';
}
