const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** A duration such as `90s`, `15m`, `1h`, `1h30m`, `2d` in milliseconds; undefined if it is none. */
export function parseDuration(text: string): number | undefined {
  const compact = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d|w))+$/.test(compact)) return undefined;
  let total = 0;
  for (const [, amount, , unit] of compact.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d|w)/g))
    total += Number(amount) * (UNIT_MS[unit!] ?? Number.NaN);
  return Number.isFinite(total) && total > 0 ? Math.round(total) : undefined;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * `--since`: a duration back from `now` (`1h`, `30m`, `2d`) or an ISO-8601 time
 * (`2024-05-01T12:00:00Z`), as epoch milliseconds. Throws an error naming the flag.
 */
export function parseSince(text: string, now: number): number {
  const duration = parseDuration(text);
  if (duration !== undefined) return now - duration;
  if (ISO_TIME.test(text.trim())) {
    const time = Date.parse(text.trim());
    if (!Number.isNaN(time)) {
      if (time > now)
        throw new Error(
          `--since: expected a time in the past, found ${new Date(time).toISOString()}`,
        );
      return time;
    }
  }
  throw new Error(
    `--since: expected a duration such as 30m, 1h or 2d, or an ISO-8601 time, found "${text}"`,
  );
}
