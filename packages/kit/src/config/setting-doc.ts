/**
 * One environment setting as docs/settings.md lists it. Each package declares its own in one
 * place, `src/settings.ts` exporting `SETTINGS: readonly SettingDoc[]`; `npm run docs:settings`
 * writes the table from those lists, and a unit test fails when a `TROUPE_*` name used in the
 * sources is not declared there.
 */
export interface SettingDoc {
  /** The environment variable, e.g. `TROUPE_HTTP_PORT`. */
  readonly name: string;
  /**
   * The value used when it is unset, as text (`8080`, `10s`); `required` when it must be set;
   * `none` when unset means "not used".
   */
  readonly default: string;
  /** One sentence: what it does. */
  readonly description: string;
  /** True when `<NAME>_FILE`, a path whose contents are the value, is accepted instead. */
  readonly fromFile: boolean;
}

/** Formats milliseconds as the shortest duration text parseDuration reads back: `100ms`, `10s`, `1m`. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
