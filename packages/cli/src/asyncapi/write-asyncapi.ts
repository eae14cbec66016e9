import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, readVariable } from '@troupe/kit';
import { DEFAULT_SUBJECT_STRATEGY, parseSubjectStrategy } from '@troupe/kit/internal';
import { loadCatalog } from '../catalog/load-catalog';
import { REGISTRY_URL_VARIABLE, type CliContext } from '../context';
import { BROKERS_VARIABLE, resolveBrokers } from '../kafka/client';
import { buildAsyncApiDocument } from './document';
import type { JsonObject } from './json';
import { readProjectInfo } from './project-info';
import { parseFormat, renderDocument } from './render';

export interface AsyncApiFlags {
  config?: string;
  format: string;
  out?: string;
  registry?: string;
  brokers?: string;
  subjectStrategy?: string;
  title?: string;
  apiVersion?: string;
}

export const SUBJECT_STRATEGY_VARIABLE = 'TROUPE_SUBJECT_STRATEGY';

/**
 * `troupe asyncapi`: the document of the project's catalog, printed or written to `--out`
 * (its folder created). Flags are checked before the catalog is read; nothing connects.
 */
export async function writeAsyncApi(flags: AsyncApiFlags, context: CliContext): Promise<void> {
  const format = parseFormat(flags.format);
  const document = await asyncApiDocument(flags, context);
  const text = renderDocument(document, format);
  if (flags.out === undefined) {
    context.out(text.replace(/\n$/, ''));
    return;
  }
  const file = path.resolve(context.cwd, flags.out);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  const counts = (key: string) => Object.keys(document[key] as JsonObject).length;
  context.out(
    `wrote ${path.relative(context.cwd, file) || file}: ${counts('channels')} channels, ${counts('operations')} operations`,
  );
}

/**
 * The document for `flags`: brokers from --brokers or TROUPE_KAFKA_BROKERS, the registry from
 * --registry or TROUPE_SCHEMA_REGISTRY_URL (each left out when neither is set), the subject
 * strategy from --subject-strategy or TROUPE_SUBJECT_STRATEGY (default topic-record-name).
 */
export async function asyncApiDocument(
  flags: Omit<AsyncApiFlags, 'format' | 'out'>,
  context: CliContext,
): Promise<JsonObject> {
  const subjectStrategy = parseSubjectStrategy(
    flags.subjectStrategy ?? context.env[SUBJECT_STRATEGY_VARIABLE] ?? DEFAULT_SUBJECT_STRATEGY,
    flags.subjectStrategy === undefined ? SUBJECT_STRATEGY_VARIABLE : '--subject-strategy',
  );
  const brokers =
    flags.brokers !== undefined || readVariable(context.env, BROKERS_VARIABLE) !== undefined
      ? resolveBrokers(flags.brokers, context)
      : undefined;
  const registryUrl = checkedUrl(flags.registry, context);
  const catalog = await loadCatalog(flags.config, context);
  // loadCatalog reads the config named by --config, else the one in the working directory.
  const root =
    flags.config === undefined
      ? context.cwd
      : path.dirname(path.resolve(context.cwd, flags.config));
  return buildAsyncApiDocument(catalog, {
    info: readProjectInfo(root, flags),
    ...(brokers === undefined ? {} : { brokers }),
    ...(registryUrl === undefined ? {} : { registryUrl }),
    subjectStrategy,
  });
}

function checkedUrl(flag: string | undefined, context: CliContext): string | undefined {
  const url = flag ?? context.env[REGISTRY_URL_VARIABLE];
  if (url === undefined || url === '') return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    throw new ConfigError(
      flag === undefined ? REGISTRY_URL_VARIABLE : '--registry',
      'an http(s) URL of the schema registry',
      url,
    );
  return url;
}
