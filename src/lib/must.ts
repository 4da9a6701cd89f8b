/**
 * A value the caller's own invariants guarantee (a row found a moment ago, a key set up at start).
 * Said out loud rather than with `!`: if the invariant ever breaks, the error names what was missing
 * instead of a TypeError a few lines later.
 */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}, found none`);
  return value;
}
