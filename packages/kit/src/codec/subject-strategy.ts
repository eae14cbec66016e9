import { ConfigError } from '../errors';

/**
 * How a (topic, record) pair maps to a registry subject, as in Confluent's serializers:
 * - `topic-name`: `<topic>-value`. One schema lineage per topic, so one event type per topic.
 * - `record-name`: `<fullname>`. One lineage per event type, shared by every topic carrying it.
 * - `topic-record-name`: `<topic>-<fullname>`. One lineage per event type per topic.
 *
 * The default is `topic-record-name`: a Troupe topic carries every event of a domain
 * (ReleaseRequested, Promoted, RolledBack, ... on `releases.events`), which `topic-name` cannot
 * express without making each new event an incompatible change of the topic's one schema; and
 * unlike `record-name`, compatibility is checked per topic, so reusing an event type on another
 * topic never couples the evolution of the two.
 */
export type SubjectNameStrategy = 'topic-name' | 'record-name' | 'topic-record-name';
export type SubjectNamer = (topic: string, recordFullName: string) => string;

export const DEFAULT_SUBJECT_STRATEGY: SubjectNameStrategy = 'topic-record-name';
export const SUBJECT_STRATEGIES: readonly SubjectNameStrategy[] = [
  'topic-name',
  'record-name',
  'topic-record-name',
];

const namers: Record<SubjectNameStrategy, SubjectNamer> = {
  'topic-name': (topic) => `${topic}-value`,
  'record-name': (_topic, record) => record,
  'topic-record-name': (topic, record) => `${topic}-${record}`,
};

/** A strategy name or a custom function → the function. */
export function subjectNamer(
  strategy: SubjectNameStrategy | SubjectNamer = DEFAULT_SUBJECT_STRATEGY,
): SubjectNamer {
  if (typeof strategy === 'function') return strategy;
  const namer = namers[strategy];
  if (!namer)
    throw new ConfigError('subjectStrategy', SUBJECT_STRATEGIES.join(' | '), String(strategy));
  return namer;
}

/** Parses a strategy name from a flag or variable; `variable` names it in the error. */
export function parseSubjectStrategy(
  text: string,
  variable = 'subject strategy',
): SubjectNameStrategy {
  if ((SUBJECT_STRATEGIES as readonly string[]).includes(text)) return text as SubjectNameStrategy;
  throw new ConfigError(variable, SUBJECT_STRATEGIES.join(' | '), text);
}
