import type { TopicSpec } from '@troupe/kit/internal';

/**
 * Why an event type is not in the catalog, in one line: the close matches if there are any
 * (a typo, a missing namespace, another case), else every known type.
 */
export function unknownEventTypeMessage(eventType: string, known: readonly string[]): string {
  const close = closeMatches(eventType, known);
  const hint =
    close.length > 0
      ? `did you mean ${close.join(' or ')}?`
      : known.length > 0
        ? `the known event types are ${known.join(', ')}`
        : 'the schemas folder declares no event types';
  return `unknown event type "${eventType}": ${hint}`;
}

/** Known types whose full name or short name (after the last dot) is near the given one. */
export function closeMatches(eventType: string, known: readonly string[], max = 3): string[] {
  const wanted = eventType.toLowerCase();
  const wantedShort = shortName(wanted);
  const scored = known
    .map((candidate) => {
      const full = candidate.toLowerCase();
      const short = shortName(full);
      if (full === wanted || short === wanted || full.endsWith(`.${wanted}`))
        return { candidate, score: 0 };
      const distance = Math.min(levenshtein(full, wanted), levenshtein(short, wantedShort));
      const allowed = Math.max(2, Math.floor(wantedShort.length / 4));
      return { candidate, score: distance <= allowed ? distance : Number.POSITIVE_INFINITY };
    })
    .filter((s) => Number.isFinite(s.score))
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, max).map((s) => s.candidate);
}

function shortName(name: string): string {
  return name.slice(name.lastIndexOf('.') + 1);
}

function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        substitution,
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** Where an event goes and what it is keyed by. */
export interface Route {
  topic: string;
  /** The payload field named as the topic's key in topics.json, if it names one. */
  keyField?: string;
}

/**
 * The topic for an event type: `--topic`, else the first topic of topics.json listing the type
 * in its `eventTypes` (as `EventTopics` of @troupe/contracts routes it). The key field is the
 * chosen topic's `key`.
 */
export function routeFor(
  eventType: string,
  topics: readonly TopicSpec[],
  topicFlag: string | undefined,
  topicsFileShownAs: string,
): Route {
  const topic =
    topicFlag ?? topics.find((spec) => spec.eventTypes.includes(eventType))?.name ?? undefined;
  if (topic === undefined)
    throw new Error(
      `no topic in ${topicsFileShownAs} lists ${eventType} in its eventTypes: add it there, or pass --topic <topic>`,
    );
  const keyField = topics.find((spec) => spec.name === topic)?.key;
  return keyField === undefined ? { topic } : { topic, keyField };
}

/** The record key: `--key`, else the payload's key field (a non-empty string). */
export function keyFor(
  route: Route,
  payload: unknown,
  keyFlag: string | undefined,
  topicsFileShownAs: string,
): string {
  if (keyFlag !== undefined) {
    if (keyFlag === '') throw new Error('--key: expected a non-empty key');
    return keyFlag;
  }
  if (route.keyField === undefined)
    throw new Error(
      `topic ${route.topic} names no key field in ${topicsFileShownAs}: pass --key <key>`,
    );
  const value = (payload as Record<string, unknown> | null)?.[route.keyField];
  if (typeof value !== 'string' || value === '')
    throw new Error(
      `the key of ${route.topic} is the payload's ${route.keyField} (${topicsFileShownAs}): expected a non-empty string there, found ${JSON.stringify(value) ?? 'nothing'}; or pass --key <key>`,
    );
  return value;
}
