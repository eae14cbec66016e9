import type { Type } from 'avsc';

/**
 * Schema evolution rules, decided by Avro schema resolution as avsc implements it: a reader schema
 * can read data written with a writer schema exactly when `reader.createResolver(writer)` succeeds
 * (fields the reader adds need defaults, removed fields are skipped, int→long→float→double and
 * string↔bytes promote, reader aliases match renamed fields and types, enums need the writer's
 * symbols or a reader default). Namespaces are compared strictly, as avsc does when decoding.
 *
 * Pure: no I/O, no state.
 */

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

/** A compatibility level, as the Confluent API names them (`BACKWARD`, `FULL_TRANSITIVE`…). */
export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

export const DEFAULT_COMPATIBILITY: CompatibilityLevel = 'BACKWARD';

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (COMPATIBILITY_LEVELS as readonly string[]).includes(value);
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  /** Why not, one line per failed check; empty when compatible. */
  readonly messages: readonly string[];
}

/** A schema already in the subject, with the version used in messages. */
export interface ExistingSchema {
  readonly version: number;
  readonly type: Type;
}

/**
 * Checks `candidate` against the subject's live schemas (oldest first) under `level`:
 * BACKWARD — the candidate can read data written with the latest schema;
 * FORWARD — the latest schema can read data written with the candidate;
 * FULL — both; the *_TRANSITIVE levels check every schema, not only the latest.
 */
export function checkCompatibility(
  candidate: Type,
  existing: readonly ExistingSchema[],
  level: CompatibilityLevel,
): CompatibilityResult {
  if (level === 'NONE' || existing.length === 0) return { compatible: true, messages: [] };
  const transitive = level.endsWith('_TRANSITIVE');
  const against = transitive ? existing : existing.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  for (const previous of against) {
    if (backward) {
      const problem = readProblem(candidate, previous.type);
      if (problem)
        messages.push(
          `new schema cannot read data written with version ${previous.version}: ${problem}`,
        );
    }
    if (forward) {
      const problem = readProblem(previous.type, candidate);
      if (problem)
        messages.push(
          `version ${previous.version} cannot read data written with new schema: ${problem}`,
        );
    }
  }
  return { compatible: messages.length === 0, messages };
}

/** Returns why `reader` cannot read data written with `writer`, or undefined when it can. */
export function readProblem(reader: Type, writer: Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
