import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CatalogError } from '@troupe/kit';

/** What the document's `info` says about the project. */
export interface ProjectInfo {
  title: string;
  version: string;
  description?: string;
  /** An SPDX license id. */
  license?: string;
}

/** The version written when neither --api-version nor package.json gives one. */
export const UNVERSIONED = '0.0.0';

/**
 * The project's name, version, description and license from the package.json beside its
 * troupe.config.ts (`dir`), each overridden by its flag; without a package.json the title is the
 * folder's name. Throws CatalogError when that package.json is not JSON.
 */
export function readProjectInfo(
  dir: string,
  flags: { title?: string; apiVersion?: string },
): ProjectInfo {
  const file = path.join(dir, 'package.json');
  let manifest: { name?: unknown; version?: unknown; description?: unknown; license?: unknown } =
    {};
  if (existsSync(file)) {
    try {
      manifest = JSON.parse(readFileSync(file, 'utf8')) as typeof manifest;
    } catch (error) {
      throw new CatalogError(
        'package.json',
        `is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const text = (value: unknown) =>
    typeof value === 'string' && value.trim() !== '' ? value : undefined;
  const description = text(manifest.description);
  const license = text(manifest.license);
  return {
    title: flags.title ?? text(manifest.name) ?? path.basename(dir),
    version: flags.apiVersion ?? text(manifest.version) ?? UNVERSIONED,
    ...(description === undefined ? {} : { description }),
    ...(license === undefined ? {} : { license }),
  };
}
