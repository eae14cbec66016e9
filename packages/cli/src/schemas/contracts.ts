import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { loadSchemaCatalog, type SchemaCatalog } from '@troupe/kit';
import {
  SchemaFileError,
  loadTopics,
  type CatalogEntry,
  type SubjectNamer,
  type TopicSpec,
} from '@troupe/kit/internal';
import { CliFailure } from '../context';

/** The contracts folder loaded and cross-checked: schemas, topics and how they relate. */
export interface Contracts {
  /** Directory paths in messages are shown relative to. */
  cwd: string;
  schemasDir: string;
  topicsFile: string;
  catalog: SchemaCatalog;
  topics: TopicSpec[];
}

export const TOPICS_FILE = 'topics.json';

/**
 * The schemas folder: the one given, else the nearest `schemas/` with a topics.json in the
 * working directory or above it (so the commands work from any package of the repository).
 */
export function findSchemasDir(dir: string | undefined, cwd: string): string {
  if (dir !== undefined) return path.resolve(cwd, dir);
  for (let current = path.resolve(cwd); ; current = path.dirname(current)) {
    const candidate = path.join(current, 'schemas');
    if (existsSync(path.join(candidate, TOPICS_FILE))) return candidate;
    if (path.dirname(current) === current) break;
  }
  throw new CliFailure(
    `no schemas/${TOPICS_FILE} in ${cwd} or above it; pass the schemas folder as an argument`,
  );
}

/** Loads every .avsc under the folder and its topics.json, and checks they agree. */
export async function loadContracts(dir: string | undefined, cwd: string): Promise<Contracts> {
  const schemasDir = findSchemasDir(dir, cwd);
  const topicsFile = path.join(schemasDir, TOPICS_FILE);
  try {
    const catalog = await loadSchemaCatalog(schemasDir);
    const topics = await loadTopics(topicsFile, catalog);
    return { cwd, schemasDir, topicsFile, catalog, topics };
  } catch (error) {
    // Relative paths keep the one error line short.
    if (error instanceof SchemaFileError && path.isAbsolute(error.file)) {
      const file = path.relative(cwd, error.file) || '.';
      throw new SchemaFileError(file, error.jsonPath, error.problem, error.location, {
        cause: error.cause,
      });
    }
    throw error;
  }
}

/** A subject to register or check: an event type's schema as carried by one or more topics. */
export interface SubjectPlan {
  subject: string;
  topics: string[];
  entry: CatalogEntry;
}

/** Every (topic, event type) of topics.json mapped to its subject; shared subjects listed once. */
export function planSubjects(contracts: Contracts, subjectOf: SubjectNamer): SubjectPlan[] {
  const plans = new Map<string, SubjectPlan>();
  for (const topic of contracts.topics) {
    for (const eventType of topic.eventTypes) {
      const entry = contracts.catalog.get(eventType) as CatalogEntry;
      const subject = subjectOf(topic.name, eventType);
      const plan = plans.get(subject);
      if (!plan) {
        plans.set(subject, { subject, topics: [topic.name], entry });
      } else if (plan.entry.name !== eventType) {
        throw new CliFailure(
          `subject "${subject}" would hold both ${plan.entry.name} and ${eventType}; ` +
            'topic-name subjects allow one event type per topic (use --subject-strategy topic-record-name)',
        );
      } else {
        plan.topics.push(topic.name);
      }
    }
  }
  return [...plans.values()];
}

/** A path as shown in messages: relative to the working directory. */
export function shownPath(contracts: Contracts, file: string): string {
  return path.relative(contracts.cwd, file) || file;
}
