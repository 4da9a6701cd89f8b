import { DateTime } from 'luxon';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  'a couple of': 2,
  'couple of': 2,
};

/** "dec", "Dec.", "sept", "December" → 0-based month; -1 when the word is no month. */
function monthIndex(word: string): number {
  const w = word.toLowerCase().replace(/\.$/, '');
  if (w.length < 3) return -1;
  return MONTHS.findIndex((m) => m === w || m.startsWith(w) || (w === 'sept' && m === 'september'));
}

/** ISO weekday (1 = Monday) of a full or abbreviated English day name; 0 when none. */
function weekdayNumber(word: string): number {
  const w = word.toLowerCase().replace(/\.$/, '');
  const table: Record<string, number> = {
    monday: 1,
    mon: 1,
    tuesday: 2,
    tue: 2,
    tues: 2,
    wednesday: 3,
    wed: 3,
    weds: 3,
    thursday: 4,
    thu: 4,
    thur: 4,
    thurs: 4,
    friday: 5,
    fri: 5,
    saturday: 6,
    sunday: 7,
  };
  return table[w] ?? 0;
}

/**
 * A day and month written without a year means the occurrence nearest to the reference day
 * (ties go to the later one). So on 20 December "4 January" is next January, and on 2 December
 * "20 November" is the one just gone (a caller can then say the date has passed) rather than
 * eleven months away.
 */
function nearest(ref: DateTime, month: number, day: number): DateTime | undefined {
  let best: DateTime | undefined;
  let bestDistance = Infinity;
  for (const year of [ref.year - 1, ref.year, ref.year + 1]) {
    const dt = DateTime.fromObject({ year, month: month + 1, day }, { zone: ref.zone });
    if (!dt.isValid) continue;
    const distance = Math.abs(dt.diff(ref, 'days').days);
    if (distance < bestDistance || (distance === bestDistance && best && dt > best)) {
      best = dt;
      bestDistance = distance;
    }
  }
  return best;
}

function explicitDate(ref: DateTime, month: number, day: number, year?: number): DateTime | undefined {
  if (month < 0 || month > 11 || day < 1 || day > 31) return undefined;
  if (year === undefined) return nearest(ref, month, day);
  const y = year < 100 ? 2000 + year : year;
  if (y < 1900 || y > 2200) return undefined;
  const dt = DateTime.fromObject({ year: y, month: month + 1, day }, { zone: ref.zone });
  return dt.isValid ? dt : undefined;
}

/** The next occurrence of an ISO weekday strictly after the reference day. */
function nextWeekday(ref: DateTime, weekday: number): DateTime {
  let d = ref.set({ weekday: weekday as 1 });
  if (d <= ref) d = d.plus({ weeks: 1 });
  return d;
}

/**
 * The organisation's working days, for "within 5 working days": its nation's bank holidays as
 * well as weekends. `WorkCalendar` is one; the reader stays pure (it is only asked about dates).
 */
export interface WorkingDays {
  /** A local calendar date, YYYY-MM-DD. */
  isWorkingDay(localDate: string): boolean;
}

export interface DateReadingOptions {
  /** Without it, working days are Monday to Friday. */
  workingDays?: WorkingDays;
}

function addWorkingDays(ref: DateTime, n: number, workingDays?: WorkingDays): DateTime {
  let d = ref;
  let left = n;
  // Ten years of days: far more than any "within N working days" needs; it bounds a bad calendar.
  for (let guard = 0; left > 0 && guard < 3660; guard++) {
    d = d.plus({ days: 1 });
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- Luxon gives null only for an invalid DateTime; this one comes from a valid instant
    if (workingDays ? workingDays.isWorkingDay(d.toISODate()!) : d.weekday <= 5) left--;
  }
  return d;
}

/** Friday of the reference's own week, or of next week when the reference is at the weekend. */
function endOfThisWeek(ref: DateTime): DateTime {
  return ref.weekday <= 5 ? ref.set({ weekday: 5 }) : ref.plus({ weeks: 1 }).set({ weekday: 5 });
}

export interface ParsedDate {
  /** Local calendar date, YYYY-MM-DD. */
  date: string;
  /** The words that gave it, as written, for the audit trail. */
  matched: string;
  /** Where those words start in the text searched. */
  index: number;
  /** A date written out (4 December, 04/12, 2026-12-04) rather than worked out ("Friday"). */
  explicit: boolean;
}

interface Candidate {
  index: number;
  end: number;
  dt: DateTime;
  explicit: boolean;
  weekday?: boolean;
  timeOnly?: boolean;
}

/**
 * Every date in en-GB prose, in the order written, relative to `reference` in `timezone`.
 * See `findEnGbDate` for what is understood.
 */
export function findAllEnGbDates(text: string, reference: Date, timezone: string, opts: DateReadingOptions = {}): ParsedDate[] {
  const start = DateTime.fromJSDate(reference, { zone: timezone });
  const ref = (start.isValid ? start : DateTime.fromJSDate(reference, { zone: 'Europe/London' })).startOf('day');
  if (!ref.isValid) return [];
  // Same length as the input, so indexes map back onto the original text.
  const lower = text
    .slice(0, 20_000)
    .replace(/[A-Z]/g, (c) => c.toLowerCase())
    .replace(/[’‘]/g, "'");
  const found: Candidate[] = [];
  const push = (index: number, length: number, dt: DateTime | undefined, explicit: boolean, extra: Partial<Candidate> = {}) => {
    if (dt?.isValid) found.push({ index, end: index + length, dt: dt.startOf('day'), explicit, ...extra });
  };
  let m: RegExpExecArray | null;

  // 2026-12-04
  const iso = /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/g;
  while ((m = iso.exec(lower))) push(m.index, m[0].length, explicitDate(ref, Number(m[2]) - 1, Number(m[3]), Number(m[1])), true);

  // 04/12, 4/12/26, 04/12/2026 (British order: day first). "24/7" is not a date.
  const slashed = /(?<![\d/])(\d{1,2})\/(\d{1,2})(?:\/(\d{4}|\d{2}))?(?![\d/])/g;
  while ((m = slashed.exec(lower))) {
    if (m[0] === '24/7') continue;
    push(m.index, m[0].length, explicitDate(ref, Number(m[2]) - 1, Number(m[1]), m[3] ? Number(m[3]) : undefined), true);
  }
  // 04.12.2026, 04-12-2026: only with a year, so "10.30" and "1.5" are not dates.
  const dotted = /(?<![\d.-])(\d{1,2})([.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d.-]?\d)/g;
  while ((m = dotted.exec(lower))) push(m.index, m[0].length, explicitDate(ref, Number(m[3]) - 1, Number(m[1]), Number(m[4])), true);

  // 4 December, 4th Dec 2026, 4th of December, 04-Dec-26
  const dayMonth = /\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of\s+|\s+|-)([a-z]{3,9})\b\.?(?:,?\s+(\d{4})\b|-(\d{4}|\d{2})\b)?/g;
  while ((m = dayMonth.exec(lower))) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
    const month = monthIndex(m[2]!);
    if (month < 0) continue;
    const year = m[3] ?? m[4];
    // "4 December." — the full stop ends the sentence; only "4 Dec." abbreviates.
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
    const length = m[0].endsWith('.') && MONTHS.includes(m[2]!) ? m[0].length - 1 : m[0].length;
    push(m.index, length, explicitDate(ref, month, Number(m[1]), year ? Number(year) : undefined), true);
  }
  // December 4, Dec 4th, 2026
  const monthDay = /\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?/g;
  while ((m = monthDay.exec(lower))) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
    const month = monthIndex(m[1]!);
    if (month < 0) continue;
    push(m.index, m[0].length, explicitDate(ref, month, Number(m[2]), m[3] ? Number(m[3]) : undefined), true);
  }
  // "the 4th" with no month: that day of this month, or of next month once it has passed.
  const ordinal = /\bthe (\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\s+)?[a-z]{3,9}\b)/g;
  while ((m = ordinal.exec(lower))) {
    const day = Number(m[1]);
    let dt = ref.set({ day: Math.min(day, ref.daysInMonth) });
    if (day !== dt.day) continue;
    if (dt < ref) {
      const next = ref.plus({ months: 1 });
      dt = next.set({ day: Math.min(day, next.daysInMonth) });
      if (dt.day !== day) continue;
    }
    push(m.index, m[0].length, dt, true);
  }

  const relative: [RegExp, (x: RegExpExecArray) => DateTime | undefined][] = [
    [
      /\b(?:today|tonight|this (?:morning|afternoon|evening)|later today|end of (?:the )?day|end of today|close of (?:business|play)(?: today)?|cob|eod)\b/g,
      () => ref,
    ],
    [/\b(?:the )?day after tomorrow\b/g, () => ref.plus({ days: 2 })],
    [/\b(?:tomorrow|tmrw|tomorow)\b/g, () => ref.plus({ days: 1 })],
    [/\b(?:early|beginning of|start of) next week\b/g, () => ref.plus({ weeks: 1 }).set({ weekday: 2 })],
    [/\b(?:mid|middle of)[- ]next week\b/g, () => ref.plus({ weeks: 1 }).set({ weekday: 3 })],
    [/\b(?:(?:the )?end of|by|during|over|later|sometime|some time|within|in) next week\b|\bnext week\b/g, () => ref.plus({ weeks: 1 }).set({ weekday: 5 })],
    [/\b(?:(?:the )?end of (?:the|this) week|this week|later this week)\b/g, () => endOfThisWeek(ref)],
    [/\b(?:the )?end of next month\b/g, () => ref.plus({ months: 1 }).endOf('month').startOf('day')],
    [/\b(?:the )?end of (?:the |this )?month\b/g, () => ref.endOf('month').startOf('day')],
    [
      /\b(?:in|within)\s+(?:a|one|the next|the coming)\s+fortnight\b|\bin a fortnight'?s? time\b|\bwithin (?:a|the next) fortnight\b/g,
      () => ref.plus({ days: 14 }),
    ],
    [
      /\b(?:in|within|in the next)\s+(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|an?|(?:a )?couple of)\s+(working days?|business days?|days?|weeks?)(?:'? time)?\b/g,
      (x) => {
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
        const word = x[1]!;
        const n = /^\d+$/.test(word) ? Number(word) : (NUMBER_WORDS[word] ?? 0);
        if (n <= 0 || n > 366) return undefined;
        // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
        const unit = x[2]!;
        if (unit.startsWith('working') || unit.startsWith('business')) return addWorkingDays(ref, n, opts.workingDays);
        return unit.startsWith('week') ? ref.plus({ weeks: n }) : ref.plus({ days: n });
      },
    ],
  ];
  for (const [pattern, toDate] of relative) {
    while ((m = pattern.exec(lower))) push(m.index, m[0].length, toDate(m), false);
  }

  // Weekdays. "Friday" is the next Friday after the reference day, so "by Friday" written on
  // a Friday means a week later (nobody writes "by Friday" for today); "this Friday" is the
  // Friday of the current week and may be today; "next Friday" is the Friday of next week
  // (Monday-to-Sunday weeks, so at a weekend it is the coming Friday).
  const weekday =
    /\b(?:(this|next|coming|the coming|this coming)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday|(?:mon|tues?|weds?|thu(?:rs?)?|fri)(?:\.(?=\s+\d))?)\b/g;
  while ((m = weekday.exec(lower))) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
    const wd = weekdayNumber(m[2]!);
    if (!wd) continue;
    const which = m[1] ?? '';
    let d: DateTime;
    if (which === 'this') {
      d = ref.set({ weekday: wd as 1 });
      if (d < ref) d = d.plus({ weeks: 1 });
    } else if (which === 'next') {
      d = ref.plus({ weeks: 1 }).set({ weekday: wd as 1 });
    } else {
      d = nextWeekday(ref, wd);
    }
    push(m.index, m[0].length, d, false, { weekday: true });
  }

  // A time of day alone ("by 3pm") means today; used only when nothing else is found.
  const timeOfDay = /\bby\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b|\bby\s+(\d{1,2}):(\d{2})\b/g;
  while ((m = timeOfDay.exec(lower))) push(m.index, m[0].length, ref, false, { timeOnly: true });

  return merge(found, lower).map((c) => ({
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- only valid dates are kept as candidates
    date: c.dt.toISODate()!,
    matched: text.slice(c.index, c.end),
    index: c.index,
    explicit: c.explicit,
  }));
}

/**
 * Sorts candidates, lets a written-out date win over anything overlapping it, and folds a day
 * name into the date that follows it ("Friday 4 December" is 4 December, whatever day it is).
 */
function merge(found: Candidate[], lower: string): Candidate[] {
  const sorted = [...found].sort((a, b) => a.index - b.index || Number(b.explicit) - Number(a.explicit) || b.end - b.index - (a.end - a.index));
  const kept: Candidate[] = [];
  for (const c of sorted) {
    const overlapping = kept.find((k) => c.index < k.end && k.index < c.end);
    if (overlapping) {
      if (c.explicit && !overlapping.explicit) kept.splice(kept.indexOf(overlapping), 1, c);
      continue;
    }
    kept.push(c);
  }
  kept.sort((a, b) => a.index - b.index);
  const out: Candidate[] = [];
  for (let i = 0; i < kept.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const c = kept[i]!;
    const next = kept[i + 1];
    if (c.weekday && next?.explicit && /^[\s,]*(?:the\s+)?$/.test(lower.slice(c.end, next.index))) {
      out.push({ ...next, index: c.index });
      i++;
      continue;
    }
    out.push(c);
  }
  const dated = out.filter((c) => !c.timeOnly);
  return dated.length > 0 ? dated : out;
}

/**
 * Finds the first date in en-GB prose, relative to `reference` in `timezone`: "4 December",
 * "4th Dec 2026", "Friday 4 December", "04/12/2026", "04/12", "2026-12-04", "Friday",
 * "next Tuesday", "this Friday", "tomorrow", "end of the week", "end of next week",
 * "next week", "early next week", "end of the month", "in 3 days", "within two weeks",
 * "in 5 working days", "a fortnight", "the 4th", "by 3pm" (today). Day/month order is British:
 * 04/12 is the 4th of December. A date without a year is the nearest such date (see `nearest`).
 * Working days skip the bank holidays of `opts.workingDays` when given, else weekends only.
 */
export function findEnGbDate(text: string, reference: Date, timezone: string, opts: DateReadingOptions = {}): ParsedDate | undefined {
  return findAllEnGbDates(text, reference, timezone, opts)[0];
}

/** The reference instant's own local date (YYYY-MM-DD) in `timezone`. */
export function localDate(reference: Date, timezone: string): string {
  const dt = DateTime.fromJSDate(reference, { zone: timezone });
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- dt is valid, or the fallback is built from the reference instant
  return (dt.isValid ? dt : DateTime.fromJSDate(reference, { zone: 'Europe/London' })).toISODate()!;
}
