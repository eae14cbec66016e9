import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { CliFailure, type CliContext } from '../context';
import { generateContractsSource } from '../typegen/typegen';
import type { Contracts } from './contracts';

/** Where the generated file goes by default, relative to the folder holding schemas/. */
export const GENERATED_FILE = path.join('packages', 'contracts', 'src', 'generated.ts');

export function defaultGeneratedFile(contracts: Contracts): string {
  return path.join(path.dirname(contracts.schemasDir), GENERATED_FILE);
}

/**
 * The generated TypeScript for `contracts`. Laid out by the generator itself (prettier ignores
 * the file), so the output depends only on the input and the check needs no formatter.
 */
export function renderContracts(contracts: Contracts): string {
  const schemas = contracts.catalog.entries().map((entry) => ({
    name: entry.name,
    schema: entry.schema,
    source: path.relative(contracts.schemasDir, entry.source).split(path.sep).join('/'),
  }));
  return generateContractsSource(schemas, contracts.topics);
}

/** Writes the generated file, or with `check` fails when the committed one differs. */
export async function generateContracts(
  contracts: Contracts,
  outFile: string,
  check: boolean,
  context: CliContext,
): Promise<void> {
  const generated = renderContracts(contracts);
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
