import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { createSchemaCatalog, type SchemaSource } from '@troupe/kit';
import { checkTopicsAgainstCatalog, parseSchemaFile, parseTopics } from '@troupe/kit/internal';
import { CliFailure } from '../context';
import { loadContracts, TOPICS_FILE, type Contracts } from '../schemas/contracts';
import { GENERATED_FILE, renderContracts } from '../schemas/generate';
import { collectNamedTypes } from '../typegen/named-types';
import { avroSchemaFiles } from './avro-schemas';
import { addServiceFile, catalogSource } from './catalog-entry';
import { definitionSource } from './definition';
import { formatFiles } from './formatter';
import { appendToTopLevel } from './json-insert';
import { mainSource } from './main-source';
import { serviceNames, type ServiceNames } from './names';
import { packageJson, type WorkspaceVersions } from './package-json';
import { readmeSource } from './readme';
import { serviceTsconfig } from './service-tsconfig';
import { topicMember, topicSpec } from './topic-entry';
import { unitTestSource } from './unit-test';

/** A file the scaffold writes: a new one (`create`) or an existing one edited (`update`). */
export interface PlannedFile {
  file: string;
  text: string;
  action: 'create' | 'update';
  /** What the update changes, for the report. */
  note?: string;
}

export interface ServicePlan {
  root: string;
  names: ServiceNames;
  /** In write order: schemas, topics.json, the service's files, tsconfig.json, troupe.config.ts. */
  files: PlannedFile[];
}

/**
 * Everything `troupe new service` will write, computed and checked without writing anything:
 * the name, that nothing of that name exists (service folder, contract domain, topic, event
 * types or their TypeScript names), that the existing contracts load, and that the contracts
 * with the new domain still generate. Any problem is a CliFailure of one line.
 */
export async function planService(name: string, dir: string | undefined, cwd: string) {
  const names = serviceNames(name);
  const root = path.resolve(cwd, dir ?? '.');
  const shown = (file: string) => path.relative(cwd, file) || '.';
  const schemasDir = path.join(root, 'schemas');
  const topicsFile = path.join(schemasDir, TOPICS_FILE);
  if (!existsSync(topicsFile))
    throw new CliFailure(
      `no schemas/${TOPICS_FILE} in ${root}: run in the project root or pass --dir <root>`,
    );
  const serviceDir = path.join(root, 'services', name);
  if (existsSync(serviceDir)) throw new CliFailure(`${shown(serviceDir)} already exists`);
  for (const folder of new Set([names.domain, name])) {
    const domainDir = path.join(schemasDir, folder);
    if (existsSync(domainDir))
      throw new CliFailure(`${shown(domainDir)} already exists: the domain has contracts already`);
  }

  const contracts = await loadContracts(schemasDir, cwd);
  if (contracts.topics.some((topic) => topic.name === names.topic))
    throw new CliFailure(`topic ${names.topic} is already in ${shown(topicsFile)}`);
  checkEventNames(contracts, names);

  const files: PlannedFile[] = avroSchemaFiles(names).map((schema) => ({
    file: path.join(schemasDir, schema.file),
    text: schema.text,
    action: 'create',
  }));
  const schemaCount = files.length;
  const topicsText = await editText(topicsFile, shown, (text) =>
    appendToTopLevel(text, 'topics', topicMember(names), (json) => ({
      ...json,
      topics: { ...(json.topics as object), [names.topic]: topicSpec(names) },
    })),
  );
  files.push({
    file: topicsFile,
    text: topicsText,
    action: 'update',
    note: `topic ${names.topic}`,
  });

  const generated = path.join(root, GENERATED_FILE);
  if (!existsSync(path.dirname(generated)))
    throw new CliFailure(
      `${shown(path.dirname(generated))} does not exist: is ${root} a Troupe project?`,
    );
  const versions = await workspaceVersions(root, shown);
  const definitionModule = name;
  const serviceFiles: [string, string][] = [
    ['package.json', packageJson(names, versions)],
    ['tsconfig.json', serviceTsconfig()],
    [`src/${name}.ts`, definitionSource(names)],
    ['src/catalog.ts', catalogSource(names, definitionModule)],
    ['src/main.ts', mainSource(names, definitionModule)],
    [`src/${name}.test.ts`, unitTestSource(names, definitionModule)],
    ['README.md', readmeSource(names)],
  ];
  for (const [relative, text] of serviceFiles)
    files.push({ file: path.join(serviceDir, relative), text, action: 'create' });

  const tsconfig = path.join(root, 'tsconfig.json');
  const reference = `services/${name}`;
  const tsconfigText = await editText(tsconfig, shown, (text) => {
    const references = (JSON.parse(text) as { references?: { path?: string }[] }).references;
    if (references?.some((entry) => path.normalize(entry.path ?? '') === reference))
      throw new Error(`already references ${reference}`);
    return appendToTopLevel(text, 'references', `{ "path": "${reference}" }`, (json) => ({
      ...json,
      references: [...(json.references as object[]), { path: reference }],
    }));
  });
  files.push({
    file: tsconfig,
    text: tsconfigText,
    action: 'update',
    note: `references ${reference}`,
  });

  // A project with a system catalog gets the service in it (troupe graph, troupe asyncapi).
  const catalogConfig = path.join(root, CATALOG_CONFIG);
  if (existsSync(catalogConfig)) {
    const catalogFile = `services/${name}/src/catalog.ts`;
    files.push({
      file: catalogConfig,
      text: await editText(catalogConfig, shown, (text) => addServiceFile(text, catalogFile)),
      action: 'update',
      note: `services ${catalogFile}`,
    });
  }

  const formatted = await formatFiles(root, files);
  formatted.forEach((text, index) => (files[index]!.text = text));
  const sources: SchemaSource[] = contracts.catalog
    .entries()
    .map((entry) => ({ schema: entry.schema, source: entry.source }));
  for (const { file, text } of files.slice(0, schemaCount))
    sources.push({ schema: parseSchemaFile(text, file).schema, source: file });
  await checkGenerates(contracts, sources, topicsText, shown(topicsFile));
  return { root, names, files } satisfies ServicePlan;
}

/** The new event types, and their TypeScript names, must be new: no existing type is renamed. */
function checkEventNames(contracts: Contracts, names: ServiceNames): void {
  const existing = collectNamedTypes(
    contracts.catalog
      .entries()
      .map((entry) => ({ name: entry.name, schema: entry.schema, source: '' })),
  );
  for (const event of [names.requested, names.answered]) {
    if (existing.has(event.type))
      throw new CliFailure(`event type ${event.type} already exists in the contracts`);
    const clash = [...existing.values()].find(
      (type) => type.fullName.slice(type.fullName.lastIndexOf('.') + 1) === event.short,
    );
    if (clash)
      throw new CliFailure(
        `${event.type} would rename the TypeScript type ${event.short} of ${clash.fullName}: pick another name`,
      );
  }
}

/** The contracts with the new domain load and generate, in memory. */
async function checkGenerates(
  contracts: Contracts,
  sources: SchemaSource[],
  topicsText: string,
  topicsShown: string,
): Promise<void> {
  try {
    const catalog = createSchemaCatalog(sources);
    const topics = parseTopics(JSON.parse(topicsText), topicsShown);
    checkTopicsAgainstCatalog(topics, catalog, topicsShown);
    renderContracts({ ...contracts, catalog, topics });
  } catch (error) {
    throw new CliFailure(
      `the contracts would not generate with the new domain: ${(error as Error).message}`,
    );
  }
}

/** The system catalog's file, which the new service joins when the project has one. */
const CATALOG_CONFIG = 'troupe.config.ts';

async function editText(
  file: string,
  shown: (file: string) => string,
  edit: (text: string) => string,
): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CliFailure(`${shown(file)} does not exist: is this a Troupe project?`);
  }
  try {
    return edit(text);
  } catch (error) {
    throw new CliFailure(`${shown(file)} ${(error as Error).message}`);
  }
}

async function workspaceVersions(
  root: string,
  shown: (file: string) => string,
): Promise<WorkspaceVersions> {
  const version = async (pkg: string) => {
    const file = path.join(root, 'packages', pkg, 'package.json');
    try {
      return (JSON.parse(await readFile(file, 'utf8')) as { version: string }).version;
    } catch {
      throw new CliFailure(`cannot read the version of @troupe/${pkg} from ${shown(file)}`);
    }
  };
  return {
    kit: await version('kit'),
    contracts: await version('contracts'),
    testkit: await version('testkit'),
  };
}
