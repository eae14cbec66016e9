import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  REPO_ROOT,
  SETTINGS_DOC,
  declarationProblems,
  generateSettingsDoc,
  loadDeclarations,
  usedNames,
  type DeclaredSettings,
} from './settings-table';

const group = (settings: DeclaredSettings['settings']): DeclaredSettings => ({
  packageName: '@troupe/example',
  file: 'packages/example/src/settings.ts',
  settings,
});
const setting = (name: string, fromFile = false, description = 'What it does.') => ({
  name,
  default: 'none',
  description,
  fromFile,
});
// Real declarations that begin with each of NAME_PREFIXES, so the prefix check holds.
const base = [
  setting('TROUPE_KAFKA_BROKERS', true),
  setting('TROUPE_SCHEMA_REGISTRY_URL'),
  setting('TROUPE_REDIS_URL', true),
  setting('TROUPE_DATABASE_URL', true),
];

describe('docs/settings.md', () => {
  it('is what npm run docs:settings generates from the declarations now', () => {
    const current = readFileSync(path.join(REPO_ROOT, SETTINGS_DOC), 'utf8');
    const generated = generateSettingsDoc();
    if (current !== generated) {
      const lines = current.split('\n');
      const at = generated.split('\n').findIndex((line, i) => line !== lines[i]);
      throw new Error(
        `${SETTINGS_DOC} is stale: run npm run docs:settings (first difference at line ${at + 1})`,
      );
    }
  });

  it('declares every TROUPE_* name the sources, scripts and benches use, each with a description', () => {
    expect(declarationProblems(loadDeclarations(), usedNames())).toEqual([]);
  });
});

describe('declarationProblems', () => {
  it('names a used setting that no package declares, and where it is used', () => {
    const used = new Map([['TROUPE_NOT_DECLARED', ['services/x/src/x.ts']]]);
    expect(declarationProblems([group(base)], used)).toEqual([
      "TROUPE_NOT_DECLARED (in services/x/src/x.ts): not declared in any package's src/settings.ts",
    ]);
  });

  it('accepts <NAME>_FILE only for a setting declared as accepting a file', () => {
    const used = new Map([
      ['TROUPE_KAFKA_BROKERS_FILE', ['a.ts']],
      ['TROUPE_SCHEMA_REGISTRY_URL_FILE', ['b.ts']],
    ]);
    expect(declarationProblems([group(base)], used)).toEqual([
      "TROUPE_SCHEMA_REGISTRY_URL_FILE (in b.ts): not declared in any package's src/settings.ts",
    ]);
  });

  it('takes the known prefixes for families, not settings, and refuses other prefixes', () => {
    const used = new Map([
      ['TROUPE_KAFKA_', ['a.ts']],
      ['TROUPE_OTHER_', ['b.ts']],
    ]);
    expect(declarationProblems([group(base)], used)).toEqual([
      'TROUPE_OTHER_ (in b.ts): a prefix not in NAME_PREFIXES',
    ]);
  });

  it('refuses an empty description and a name declared twice by one package', () => {
    const settings = [...base, setting('TROUPE_X', false, ' '), setting('TROUPE_X')];
    expect(declarationProblems([group(settings)], new Map())).toEqual([
      'TROUPE_X (packages/example/src/settings.ts): empty description',
      'TROUPE_X (packages/example/src/settings.ts): declared twice',
    ]);
  });

  it('allows two packages to declare one name, each with its meaning', () => {
    const other = { ...group([setting('TROUPE_KAFKA_BROKERS')]), packageName: '@troupe/other' };
    expect(declarationProblems([group(base), other], new Map())).toEqual([]);
  });
});
