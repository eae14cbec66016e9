import { CatalogError } from '@troupe/kit';

/**
 * The default export of a TypeScript or JavaScript module, loaded in this process. TypeScript is
 * compiled by tsx: already registered when the CLI runs from a checkout (and by jest's transform
 * in tests); registered here on first need when it runs compiled. A module that throws while
 * loading (a definition that fails validation, an import that does not resolve) is one
 * CatalogError naming `label`.
 */
export async function loadModule(file: string, label: string): Promise<unknown> {
  if (/\.[mc]?ts$/.test(file)) registerTypeScript();
  let loaded: { default?: unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file) as { default?: unknown };
  } catch (error) {
    throw new CatalogError(label, `does not load: ${firstLine(error)}`);
  }
  if (loaded.default === undefined) throw new CatalogError(label, 'has no default export');
  return loaded.default;
}

let registered = false;

function registerTypeScript(): void {
  // tsx's hook, jest's transform: either already compiles .ts files.
  if (registered || require.extensions['.ts'] !== undefined || process.env.JEST_WORKER_ID) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('tsx/cjs/api') as { register: () => void }).register();
  registered = true;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
