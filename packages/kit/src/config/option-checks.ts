import { ConfigError } from '../errors';

/**
 * A programmatic option that must be a positive integer (a count, or a time in `unit`), else a
 * ConfigError naming the option, e.g. `outboxRelay.batchSize: expected a positive integer, found "0"`.
 */
export function positiveInteger(option: string, value: number, unit?: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new ConfigError(
      option,
      unit ? `a positive integer of ${unit}` : 'a positive integer',
      String(value),
    );
  return value;
}
