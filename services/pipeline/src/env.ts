import { ConfigError, Environment, parseDuration, readVariable } from '@troupe/kit';
import type { SettingDoc } from '@troupe/kit/internal';

/**
 * Readers for the pipeline's own variables (the kit's loadConfig covers the TROUPE_* settings
 * every service shares). Each validates once, at start, and names the variable when it fails.
 * Given a SettingDoc (a package's `src/settings.ts` declaration) instead of a name and a fallback,
 * a reader reads that name and falls back to the default the declaration states, so the
 * default docs/settings.md shows is the one used.
 */

/** The default a declaration states, for a reader's fallback; a declared `required` or `none` has none. */
export function declaredDefault(setting: SettingDoc): string {
  if (setting.default === 'required' || setting.default === 'none')
    throw new Error(`${setting.name}: its declaration states no default value`);
  return setting.default;
}

function declaredMs(setting: SettingDoc): number {
  const ms = parseDuration(declaredDefault(setting));
  if (ms === undefined) throw new Error(`${setting.name}: its declared default is not a duration`);
  return ms;
}

function declaredNumber(setting: SettingDoc): number {
  const text = declaredDefault(setting);
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value))
    throw new Error(`${setting.name}: its declared default is not a number`);
  return value;
}

export function readString(env: Environment, setting: SettingDoc): string;
export function readString(env: Environment, name: string, fallback: string): string;
export function readString(
  env: Environment,
  nameOrSetting: string | SettingDoc,
  fallback?: string,
): string {
  if (typeof nameOrSetting !== 'string')
    return readVariable(env, nameOrSetting.name) ?? declaredDefault(nameOrSetting);
  return readVariable(env, nameOrSetting) ?? (fallback as string);
}

export function readOptionalString(
  env: Environment,
  nameOrSetting: string | SettingDoc,
): string | undefined {
  return readVariable(env, typeof nameOrSetting === 'string' ? nameOrSetting : nameOrSetting.name);
}

export function readRequiredString(env: Environment, name: string, expected: string): string {
  const value = readVariable(env, name);
  if (value === undefined) throw new ConfigError(name, expected);
  return value;
}

type DurationLimits = { minMs?: number; maxMs?: number };

/** A duration such as `250ms`, `2s` or `1m`. */
export function readDuration(
  env: Environment,
  setting: SettingDoc,
  limits?: DurationLimits,
): number;
export function readDuration(
  env: Environment,
  name: string,
  fallbackMs: number,
  limits?: DurationLimits,
): number;
export function readDuration(
  env: Environment,
  nameOrSetting: string | SettingDoc,
  fallbackOrLimits?: number | DurationLimits,
  maybeLimits?: DurationLimits,
): number {
  if (typeof nameOrSetting !== 'string') {
    const limits = (fallbackOrLimits ?? {}) as DurationLimits;
    return readDuration(env, nameOrSetting.name, declaredMs(nameOrSetting), limits);
  }
  const name = nameOrSetting;
  const fallbackMs = fallbackOrLimits as number;
  const limits = maybeLimits ?? {};
  const text = readVariable(env, name);
  if (text === undefined) return fallbackMs;
  const ms = parseDuration(text);
  const min = limits.minMs ?? 0;
  const max = limits.maxMs ?? Number.MAX_SAFE_INTEGER;
  if (ms === undefined || ms < min || ms > max) {
    throw new ConfigError(
      name,
      `a duration such as 250ms or 2s, between ${min}ms and ${max}ms`,
      text,
    );
  }
  return ms;
}

type NumberLimits = { min: number; max: number; integer?: boolean };

export function readNumber(env: Environment, setting: SettingDoc, limits: NumberLimits): number;
export function readNumber(
  env: Environment,
  name: string,
  fallback: number,
  limits: NumberLimits,
): number;
export function readNumber(
  env: Environment,
  nameOrSetting: string | SettingDoc,
  fallbackOrLimits: number | NumberLimits,
  maybeLimits?: NumberLimits,
): number {
  if (typeof nameOrSetting !== 'string') {
    const limits = fallbackOrLimits as NumberLimits;
    return readNumber(env, nameOrSetting.name, declaredNumber(nameOrSetting), limits);
  }
  const name = nameOrSetting;
  const fallback = fallbackOrLimits as number;
  const limits = maybeLimits as NumberLimits;
  const text = readVariable(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  const valid =
    text.trim() !== '' &&
    Number.isFinite(value) &&
    value >= limits.min &&
    value <= limits.max &&
    (!limits.integer || Number.isInteger(value));
  if (!valid) {
    const kind = limits.integer ? 'an integer' : 'a number';
    throw new ConfigError(name, `${kind} between ${limits.min} and ${limits.max}`, text);
  }
  return value;
}

export function readBoolean(env: Environment, setting: SettingDoc): boolean;
export function readBoolean(env: Environment, name: string, fallback: boolean): boolean;
export function readBoolean(
  env: Environment,
  nameOrSetting: string | SettingDoc,
  fallback?: boolean,
): boolean {
  if (typeof nameOrSetting !== 'string') {
    const declared = declaredDefault(nameOrSetting);
    if (declared !== 'true' && declared !== 'false')
      throw new Error(`${nameOrSetting.name}: its declared default is not true or false`);
    return readBoolean(env, nameOrSetting.name, declared === 'true');
  }
  const name = nameOrSetting;
  const text = readVariable(env, name);
  if (text === undefined) return fallback as boolean;
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw new ConfigError(name, 'true or false', text);
}
