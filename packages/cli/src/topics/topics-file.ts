import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import { SchemaFileError, loadTopics, type TopicSpec } from '@troupe/kit/internal';
import { CliFailure } from '../context';
import { TOPICS_FILE, findSchemasDir } from '../schemas/contracts';

export interface TopicsFile {
  /** As shown in messages: relative to the working directory. */
  shownAs: string;
  topics: TopicSpec[];
}

/**
 * Loads the topics file: the one given (a topics.json, or a folder holding one), else
 * topics.json in the working directory, else the nearest schemas/topics.json at or above it. Event types are not checked
 * against the schemas here: creating topics needs only names, partitions and configs.
 */
export async function loadTopicsFile(
  file: string | undefined,
  cwd: string,
  howToName = 'pass the topics file as an argument',
): Promise<TopicsFile> {
  let resolved = file === undefined ? undefined : path.resolve(cwd, file);
  if (resolved === undefined) {
    const found = findTopicsFile(cwd);
    if (found === undefined)
      throw new CliFailure(
        `no ${TOPICS_FILE} in ${cwd}, nor schemas/${TOPICS_FILE} there or above; ${howToName}`,
      );
    resolved = found;
  } else if (await isDirectory(resolved)) resolved = path.join(resolved, TOPICS_FILE);
  const shownAs = path.relative(cwd, resolved) || resolved;
  try {
    return { shownAs, topics: await loadTopics(resolved) };
  } catch (error) {
    if (error instanceof SchemaFileError && error.file === resolved) {
      throw new SchemaFileError(shownAs, error.jsonPath, error.problem, error.location, {
        cause: error.cause,
      });
    }
    throw error;
  }
}

function findTopicsFile(cwd: string): string | undefined {
  const here = path.join(cwd, TOPICS_FILE);
  if (existsSync(here)) return here;
  try {
    return path.join(findSchemasDir(undefined, cwd), TOPICS_FILE);
  } catch (error) {
    if (error instanceof CliFailure) return undefined;
    throw error;
  }
}

async function isDirectory(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isDirectory();
  } catch {
    return false;
  }
}
