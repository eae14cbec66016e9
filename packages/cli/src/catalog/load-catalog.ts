import { existsSync } from 'node:fs';
import path from 'node:path';
import { CatalogError, type CatalogDeclaration } from '@troupe/kit';
import {
  buildSystemCatalog,
  loadRetryTopicDelays,
  loadSchemaCatalog,
  loadTopics,
  type CatalogService,
  type SystemCatalog,
} from '@troupe/kit/internal';
import type { CliContext } from '../context';
import { loadModule } from './load-module';

/** The names looked for in the working directory when no `--config` is given, in order. */
export const CONFIG_FILES = ['troupe.config.ts', 'troupe.config.mts', 'troupe.config.js'] as const;

/**
 * Reads the system catalog of the project whose `troupe.config.ts` is `configFile` (default:
 * the first of CONFIG_FILES in the working directory): imports the config and each service file
 * it names, reads the contracts and topics.json. Connects to nothing. Throws CatalogError naming
 * the file at fault (relative to the config's folder) and the problem.
 */
export async function loadCatalog(
  configFile: string | undefined,
  context: CliContext,
): Promise<SystemCatalog> {
  const config = findConfig(configFile, context.cwd);
  const root = path.dirname(config);
  const relative = (file: string) => path.relative(root, file) || file;
  const declaration = checkDeclaration(
    await loadModule(config, relative(config)),
    relative(config),
  );
  const services: { file: string; service: CatalogService }[] = [];
  for (const file of declaration.services) {
    const absolute = path.resolve(root, file);
    if (!existsSync(absolute))
      throw new CatalogError(relative(config), `services: ${file} does not exist`);
    services.push({
      file: relative(absolute),
      service: (await loadModule(absolute, relative(absolute))) as CatalogService,
    });
  }
  const schemasDir = path.resolve(root, declaration.schemas ?? 'schemas');
  const topicsFile = path.resolve(root, declaration.topics ?? path.join(schemasDir, 'topics.json'));
  if (!existsSync(topicsFile))
    throw new CatalogError(
      relative(config),
      `the topics file ${relative(topicsFile)} does not exist`,
    );
  const schemaCatalog = await loadSchemaCatalog(schemasDir);
  // Each entry's source is the path of its file.
  const schemas = schemaCatalog
    .entries()
    .map((entry) => ({ ...entry, file: relative(entry.source) }));
  return buildSystemCatalog({
    services,
    topics: await loadTopics(topicsFile, schemaCatalog),
    schemas,
    allow: declaration.allow ?? [],
    retryTopicDelaysMs: loadRetryTopicDelays(context.env),
  });
}

function findConfig(configFile: string | undefined, cwd: string): string {
  if (configFile !== undefined) {
    const file = path.resolve(cwd, configFile);
    if (!existsSync(file)) throw new CatalogError(configFile, 'does not exist');
    return file;
  }
  for (const name of CONFIG_FILES) {
    const file = path.join(cwd, name);
    if (existsSync(file)) return file;
  }
  throw new CatalogError(
    CONFIG_FILES[0],
    `not found in ${cwd}: it lists the project's service files (see README "The choreography"), or pass --config <file>`,
  );
}

function checkDeclaration(exported: unknown, file: string): CatalogDeclaration {
  const declaration = exported as Partial<CatalogDeclaration> | undefined;
  if (
    declaration === null ||
    typeof declaration !== 'object' ||
    !Array.isArray(declaration.services) ||
    declaration.services.some((s) => typeof s !== 'string')
  )
    throw new CatalogError(
      file,
      'expected a default export defineCatalog({ services: [<service files>] })',
    );
  return declaration as CatalogDeclaration;
}
