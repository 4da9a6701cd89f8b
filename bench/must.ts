/**
 * A value the benchmark's own set-up guarantees (a count(*) row, the one seeded organisation, a node a
 * profile names). Said out loud rather than with `!`, so a broken set-up stops with what was missing
 * instead of a TypeError three lines later.
 */
export function must<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`bench: no ${what}`);
  return value;
}

/** The first row of a query that always returns one (an aggregate). */
export function firstRow<T>(rows: readonly T[], what: string): T {
  return must(rows[0], what);
}
