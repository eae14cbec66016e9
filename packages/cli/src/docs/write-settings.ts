import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  SETTINGS_DOC,
  declarationProblems,
  generateSettingsDoc,
  loadDeclarations,
  usedNames,
} from './settings-table';

/**
 * `npm run docs:settings` writes docs/settings.md; with `--check` it writes nothing and exits 1
 * when the file is stale. Either way it exits 1, naming them, when a TROUPE_* name in the sources
 * is not declared.
 */
function main(args: readonly string[]): number {
  const problems = declarationProblems(loadDeclarations(), usedNames());
  if (problems.length > 0) {
    process.stderr.write(`docs:settings: ${problems.join('\ndocs:settings: ')}\n`);
    return 1;
  }
  const file = path.join(REPO_ROOT, SETTINGS_DOC);
  const text = generateSettingsDoc();
  if (args.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // missing: stale
    }
    if (current === text) return 0;
    process.stderr.write(`docs:settings: ${SETTINGS_DOC} is stale: run npm run docs:settings\n`);
    return 1;
  }
  writeFileSync(file, text);
  process.stderr.write(`docs:settings: wrote ${SETTINGS_DOC}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
