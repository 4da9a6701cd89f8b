import { DateTime } from 'luxon';

export interface IsoWeek {
  /** `2026-W49`: the digest's idempotency key (with the organisation id). */
  key: string;
  year: number;
  week: number;
  /** Monday 00:00 local time of this week, and of the next. */
  start: Date;
  end: Date;
}

/** The ISO 8601 week `instant` falls in, in the organisation's timezone (weeks start on Monday). */
export function isoWeekOf(instant: Date, timezone: string): IsoWeek {
  const local = DateTime.fromJSDate(instant, { zone: timezone });
  if (!local.isValid) throw new Error(`unknown timezone "${timezone}"`);
  const start = local.startOf('week');
  return {
    key: local.toFormat("kkkk-'W'WW"),
    year: local.weekYear,
    week: local.weekNumber,
    start: start.toJSDate(),
    end: start.plus({ weeks: 1 }).toJSDate(),
  };
}

/** The week before the one `instant` falls in ("last week" in the digest). */
export function previousIsoWeek(instant: Date, timezone: string): IsoWeek {
  const start = DateTime.fromJSDate(isoWeekOf(instant, timezone).start, { zone: timezone }).minus({ weeks: 1 });
  return isoWeekOf(start.toJSDate(), timezone);
}

export interface Quarter {
  /** `2026Q4` */
  key: string;
  year: number;
  quarter: 1 | 2 | 3 | 4;
  /** Local midnight on the first day of the quarter, and of the next. */
  start: Date;
  end: Date;
}

/** Reads `2026Q4` (also `2026-Q4`, `Q4 2026`, any case) as a calendar quarter in `timezone`. */
export function parseQuarter(text: string, timezone: string): Quarter {
  const m = /^\s*(?:(\d{4})\s*-?\s*q([1-4])|q([1-4])\s*-?\s*(\d{4}))\s*$/i.exec(text);
  if (!m) throw new Error(`"${text}" is not a quarter: use e.g. 2026Q4`);
  const year = Number(m[1] ?? m[4]);
  const quarter = Number(m[2] ?? m[3]) as 1 | 2 | 3 | 4;
  const start = DateTime.fromObject({ year, month: (quarter - 1) * 3 + 1, day: 1 }, { zone: timezone });
  if (!start.isValid) throw new Error(`unknown timezone "${timezone}"`);
  return { key: `${year}Q${quarter}`, year, quarter, start: start.toJSDate(), end: start.plus({ months: 3 }).toJSDate() };
}

/** A date range given on the command line: `from` at local midnight, `to` inclusive (to the next midnight). */
export function localDayRange(from: string | undefined, to: string | undefined, timezone: string): { from?: Date; to?: Date } {
  const day = (s: string, name: string) => {
    const d = DateTime.fromISO(s, { zone: timezone });
    if (!d.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new Error(`--${name} must be a date like 2026-10-01`);
    return d.startOf('day');
  };
  return {
    ...(from ? { from: day(from, 'from').toJSDate() } : {}),
    ...(to ? { to: day(to, 'to').plus({ days: 1 }).toJSDate() } : {}),
  };
}
