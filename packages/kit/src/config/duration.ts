const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration such as `250ms`, `10s`, `1.5m`, `2h`, or a bare number of milliseconds.
 * Returns undefined when the text is not a duration, so callers can report where it came from.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] ?? 'ms';
  const ms = amount * (UNIT_MS[unit] ?? 1);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** Parses a comma-separated list of durations (`1s,10s,60s`); undefined when any item is not one. */
export function parseDurationList(text: string): number[] | undefined {
  const items = text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const parsed = items.map(parseDuration);
  return parsed.every((ms): ms is number => ms !== undefined) ? parsed : undefined;
}
