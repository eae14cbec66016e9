/** A positive integer option, or an error naming the flag. */
export function positiveInteger(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value <= 0)
    throw new Error(`${flag}: expected a positive integer, found "${text}"`);
  return value;
}
