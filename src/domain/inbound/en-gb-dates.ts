import * as chrono from 'chrono-node';
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

/** A day name, full or abbreviated, as a regular-expression alternative (lower case). */
const WEEKDAY_NAME = 'monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|weds?|thu(?:rs?)?|fri';

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

const isWorking = (d: DateTime, workingDays?: WorkingDays) =>
  // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- Luxon gives null only for an invalid DateTime; these come from valid ones
  workingDays ? workingDays.isWorkingDay(d.toISODate()!) : d.weekday <= 5;

/**
 * The last working day of the (Monday-to-Sunday) week containing `day`: its Friday, or the day
 * before when Friday is a bank holiday (Good Friday). A week with no working day keeps its Friday.
 */
function lastWorkingDayOfWeek(day: DateTime, workingDays?: WorkingDays): DateTime {
  const friday = day.set({ weekday: 5 });
  for (let d = friday; d.weekday >= 1 && d.weekday <= 5; d = d.minus({ days: 1 })) {
    if (isWorking(d, workingDays)) return d;
    if (d.weekday === 1) break;
  }
  return friday;
}

/** The first working day strictly after `day` (a year of days at most: it bounds a bad calendar). */
function firstWorkingDayAfter(day: DateTime, workingDays?: WorkingDays): DateTime {
  let d = day.plus({ days: 1 });
  for (let guard = 0; guard < 366 && !isWorking(d, workingDays); guard++) d = d.plus({ days: 1 });
  return d;
}

/** The reference's own week, or next week when the reference is at the weekend: its last working day. */
function endOfThisWeek(ref: DateTime, workingDays?: WorkingDays): DateTime {
  return lastWorkingDayOfWeek(ref.weekday <= 5 ? ref : ref.plus({ weeks: 1 }), workingDays);
}

/** Easter Sunday of a year (the Gregorian computus, Meeus/Jones/Butcher). */
function easterSunday(year: number, zone: DateTime['zone']): DateTime {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const h = (19 * a + b - Math.floor(b / 4) - Math.floor((8 * b + 13) / 25) + 15) % 30;
  const l = (32 + 2 * (b % 4) + 2 * Math.floor(c / 4) - h - (c % 4)) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return DateTime.fromObject({ year, month, day }, { zone });
}

/**
 * "After Christmas" (or the festive break, or New Year): the first working day after 1 January
 * following the Christmas nearest the reference (so written in early January it is this
 * January's, which may have passed).
 */
function afterChristmas(ref: DateTime, workingDays?: WorkingDays): DateTime {
  const year = ref.month >= 7 ? ref.year + 1 : ref.year;
  return firstWorkingDayAfter(DateTime.fromObject({ year, month: 1, day: 1 }, { zone: ref.zone }), workingDays);
}

/** The last working day before the coming Christmas Day (this year's, or next year's once it has passed). */
function beforeChristmas(ref: DateTime, workingDays?: WorkingDays): DateTime {
  let christmas = DateTime.fromObject({ year: ref.year, month: 12, day: 25 }, { zone: ref.zone });
  if (christmas <= ref) christmas = christmas.plus({ years: 1 });
  let d = christmas.minus({ days: 1 });
  for (let guard = 0; guard < 30 && !isWorking(d, workingDays); guard++) d = d.minus({ days: 1 });
  return d;
}

/** "After Easter": the first working day after Easter Sunday, this year's or (once it is well past) next year's. */
function afterEaster(ref: DateTime, workingDays?: WorkingDays): DateTime {
  let easter = easterSunday(ref.year, ref.zone);
  if (ref.diff(easter, 'days').days > 60) easter = easterSunday(ref.year + 1, ref.zone);
  return firstWorkingDayAfter(easter, workingDays);
}

/** The last day of a named month: this year's, or next year's once this year's has passed. */
function endOfNamedMonth(ref: DateTime, month: number): DateTime {
  const end = DateTime.fromObject({ year: ref.year, month: month + 1, day: 1 }, { zone: ref.zone })
    .endOf('month')
    .startOf('day');
  return end < ref ? end.plus({ years: 1 }).endOf('month').startOf('day') : end;
}

/** A unit after the number: "in 3 days" is relative, "1/2 hours" a fraction; neither is a calendar date. */
const TIME_UNIT = /\b(?:days?|weeks?|months?|years?|fortnights?|hours?|hrs?|minutes?|mins?|miles?|ago)\b/i;
// A clock time: with minutes or am/pm, so a bare day number is never taken for one.
const CLOCK = '(?:(?<![\\d:./])\\d{1,2}(?:[:.]\\d{2}\\s*(?:am|pm|a\\.m\\.|p\\.m\\.)?|\\s*(?:am|pm|a\\.m\\.|p\\.m\\.))|noon|midday|midnight)';
const TRAILING_TIME = new RegExp(`[\\s,]*(?:at|@|from|by|before|after|around|about)?\\s*${CLOCK}(?:\\s*(?:-|–|to|until|till)\\s*${CLOCK})?\\s*$`, 'i');
const LEADING_TIME = new RegExp(`^(?:at\\s+)?${CLOCK}(?:\\s*(?:-|–|to|until|till)\\s*${CLOCK})?[\\s,]*(?:on\\s+)?(?:the\\s+)?`, 'i');
const LEADING_WORD = /^(?:(?:on|by|the|from|until|till|before|for)\s+)+/i;

interface ChronoDate {
  index: number;
  length: number;
  day: number;
  month: number;
  year?: number;
  /** A range's later end. */
  end?: { day: number; month: number; year?: number | undefined };
}

/**
 * The calendar dates chrono-node's en-GB parser finds (day first). Only dates with a day and a
 * month written are taken; the year, when not written, is decided by `nearest`.
 */
function chronoDates(text: string, reference: DateTime): ChronoDate[] {
  let results: chrono.ParsedResult[];
  try {
    results = chrono.en.GB.parse(text, { instant: reference.toJSDate(), timezone: reference.offset });
  } catch {
    return [];
  }
  const out: ChronoDate[] = [];
  for (const r of results) {
    const s = r.start;
    if (!s.isCertain('day') || !s.isCertain('month')) continue;
    if (!/\d/.test(r.text) || TIME_UNIT.test(r.text) || r.text.trim() === '24/7') continue;
    const after = text.slice(r.index + r.text.length, r.index + r.text.length + 10);
    if (/^\d{1,2}\/\d{1,2}$/.test(r.text) && /^\s*(?:of\s+)?\w+/.test(after) && TIME_UNIT.test(after)) continue;
    // chrono reads a time with the date ("14 January at 10am"): the date's words are kept without it.
    const words = s.isCertain('hour') ? r.text.replace(TRAILING_TIME, '') : r.text;
    const lead = LEADING_WORD.exec(words)?.[0].length ?? (s.isCertain('hour') ? (LEADING_TIME.exec(words)?.[0].length ?? 0) : 0);
    const day = s.get('day');
    const month = s.get('month');
    if (day === null || month === null) continue;
    const year = s.isCertain('year') ? (s.get('year') ?? undefined) : undefined;
    const e = r.end;
    const ed = e?.isCertain('day') ? e.get('day') : null;
    const em = e?.isCertain('day') ? e.get('month') : null;
    const end = ed !== null && em !== null ? { day: ed, month: em, ...(e?.isCertain('year') ? { year: e.get('year') ?? undefined } : {}) } : undefined;
    out.push({ index: r.index + lead, length: words.trimEnd().length - lead, day, month, ...(year !== undefined ? { year } : {}), ...(end ? { end } : {}) });
  }
  return out;
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
  /** A day name alone ("Friday"): its ISO weekday. */
  weekday?: number;
  timeOnly?: boolean;
  /** "Close of play", "end of day": a time of day that takes the day written next to it. */
  timeWord?: boolean;
  /** "Next week": its Monday, for a day named after it ("next week, probably Tuesday"). */
  week?: DateTime;
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

  // Calendar dates written out, by chrono-node's en-GB parser (day first): "4 December",
  // "4th Dec 2026", "Friday 4 December", "December 4, 2026", "04-Dec-26", "04/12", "04/12/2026",
  // "04.12.2026", "2026-12-04", and ranges of them ("14-18 December", "Dec 3 - Dec 4"), read to
  // their later end. Its relative readings ("tomorrow", "in 3 days", "Friday") are not taken:
  // the hand-written rules below give those the meaning a UK office gives them.
  for (const r of chronoDates(text.slice(0, 20_000), start.isValid ? start : ref)) {
    const from = explicitDate(ref, r.month - 1, r.day, r.year);
    let to = r.end ? explicitDate(ref, r.end.month - 1, r.end.day, r.end.year) : undefined;
    if (from && to && to < from) to = to.plus({ years: 1 });
    push(r.index, r.length, to && from && to > from ? to : from, true);
  }
  // "the 4th" with no month: that day of this month, or of next month once it has passed.
  // "the 3rd or 4th" is a range: its later end.
  const dayInMonth = (day: number, weekday?: number): DateTime | undefined => {
    const options: DateTime[] = [];
    for (const month of [ref, ref.plus({ months: 1 })]) {
      const dt = month.set({ day: Math.min(day, month.daysInMonth) });
      if (dt.day === day && dt >= ref) options.push(dt);
    }
    // "Friday 18th": the month in which the 18th is a Friday, if either is.
    return options.find((o) => weekday === undefined || o.weekday === weekday) ?? options[0];
  };
  const MONTH_AHEAD = '(?!\\s+(?:of\\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\\b)';
  const ordinal = new RegExp(`\\bthe (\\d{1,2})(?:st|nd|rd|th)(?:\\s*(?:-|–|or|and|to|/)\\s*(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th))?\\b${MONTH_AHEAD}`, 'g');
  while ((m = ordinal.exec(lower))) {
    const day = Math.max(Number(m[1]), Number(m[2] ?? 0));
    push(m.index, m[0].length, dayInMonth(day), true);
  }
  // "Friday 18th", "Mon 7th": the day name says which month.
  const weekdayOrdinal = new RegExp(`\\b(${WEEKDAY_NAME})\\.?,?\\s+(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)\\b${MONTH_AHEAD}`, 'g');
  while ((m = weekdayOrdinal.exec(lower))) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
    push(m.index, m[0].length, dayInMonth(Number(m[2]), weekdayNumber(m[1]!)), true);
  }

  const relative: [RegExp, (x: RegExpExecArray) => DateTime | undefined][] = [
    [/\b(?:today|tonight|this (?:morning|afternoon|evening)|later today|end of today|close of (?:business|play) today)\b/g, () => ref],
    [/\b(?:a week today|a week from today|this time next week|today week)\b/g, () => ref.plus({ weeks: 1 })],
    [/\b(?:a week tomorrow|tomorrow week)\b/g, () => ref.plus({ days: 8 })],
    [/\b(?:the )?day after tomorrow\b/g, () => ref.plus({ days: 2 })],
    [/\b(?:tomorrow|tmrw|tomorow)\b/g, () => ref.plus({ days: 1 })],
    [/\b(?:early|beginning of|start of) next week\b/g, () => ref.plus({ weeks: 1 }).set({ weekday: 2 })],
    [/\b(?:mid|middle of)[- ]next week\b/g, () => ref.plus({ weeks: 1 }).set({ weekday: 3 })],
    [/\b(?:(?:the )?end of (?:the|this) week|this week|later this week)\b/g, () => endOfThisWeek(ref, opts.workingDays)],
    [
      /\b(?:after|once|when)\b[^.?!]{0,30}?\b(?:christmas|xmas|the festive (?:break|period|season|holidays?)|new year)\b|\bin the new year\b/g,
      () => afterChristmas(ref, opts.workingDays),
    ],
    // "Before Christmas": the last working day before Christmas Day (Christmas Eve, or the Friday before when it falls at a weekend).
    [/\bbefore (?:christmas|xmas|the christmas (?:break|holidays?))\b/g, () => beforeChristmas(ref, opts.workingDays)],
    [/\bafter (?:the )?easter\b/g, () => afterEaster(ref, opts.workingDays)],
    // "The week after next": that week's last working day.
    [/\b(?:the )?week after next\b/g, () => lastWorkingDayOfWeek(ref.plus({ weeks: 2 }), opts.workingDays)],
    [
      /\b(?:the )?end of (january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)\b/g,
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the group is not optional, so it is set whenever the pattern matched
      (x) => endOfNamedMonth(ref, monthIndex(x[1]!)),
    ],
    [/\b(?:the )?end of next month\b/g, () => ref.plus({ months: 1 }).endOf('month').startOf('day')],
    [/\b(?:the )?end of (?:the |this )?month\b/g, () => ref.endOf('month').startOf('day')],
    [
      /\b(?:in|within)\s+(?:a|one|the next|the coming)\s+fortnight\b|\bin a fortnight'?s? time\b|\bwithin (?:a|the next) fortnight\b/g,
      () => ref.plus({ days: 14 }),
    ],
    [
      /\b(?:in|within)(?:\s+the\s+(?:next|coming))?\s+(\d{1,3}|one|two|three|four|five|six|seven|eight|nine|ten|an?|(?:a )?couple of)\s+(working days?|business days?|days?|weeks?)(?:'? time)?\b/g,
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

  // "Next week" (its last working day), remembering the week for a day named after it.
  const nextWeek = /\b(?:(?:the )?end of|by|during|over|later|sometime|some time|within|in) next week\b|\bnext week\b/g;
  const following = ref.plus({ weeks: 1 });
  while ((m = nextWeek.exec(lower)))
    push(m.index, m[0].length, lastWorkingDayOfWeek(following, opts.workingDays), false, { week: following.set({ weekday: 1 }) });
  // A time of day that takes the day next to it: "close of play Friday", "COB tomorrow"; alone, today.
  const timeWord = /\b(?:(?:the )?end of (?:the )?(?:working )?day|close of (?:business|play)|cob|eod)\b/g;
  while ((m = timeWord.exec(lower))) push(m.index, m[0].length, ref, false, { timeWord: true });

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
    push(m.index, m[0].length, d, false, { weekday: wd });
  }

  // A time of day alone ("by 3pm") means today; used only when nothing else is found.
  const timeOfDay = /\bby\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b|\bby\s+(\d{1,2}):(\d{2})\b/g;
  while ((m = timeOfDay.exec(lower))) push(m.index, m[0].length, ref, false, { timeOnly: true });

  return merge(found, lower, opts.workingDays).map((c) => ({
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- only valid dates are kept as candidates
    date: c.dt.toISODate()!,
    matched: text.slice(c.index, c.end),
    index: c.index,
    explicit: c.explicit,
  }));
}

/** Between two dates, words that make them a range: its later end is the date ("Monday or Tuesday", "the 3rd-4th"). */
const RANGE_JOIN = /^\s*(?:-|–|to|or|and|\/|until|till|through|or at the latest)\s*(?:on\s+)?(?:the\s+)?$/;
/** Before a date, "week commencing": the date is that week's last working day. */
const WEEK_COMMENCING = /(?:\bw\/[cb]|\bw\.[cb]\.?|\bw[cb]|\bweek (?:commencing|beginning|starting)(?: on)?|\bthe week of)\s*(?:the\s+)?$/;
/** Between "next week" and a day name: "next week, probably Tuesday". */
const WEEK_THEN_DAY = /^[\s,;(-]*(?:(?:probably|likely|hopefully|maybe|possibly|most likely|ideally|prob)\s*)?(?:on\s+)?(?:the\s+)?$/;

/**
 * Sorts candidates, lets a written-out date win over anything overlapping it, folds a day name
 * into the date that follows it ("Friday 4 December" is 4 December, whatever day it is), a time
 * of day into the day next to it ("close of play Friday"), a day named after "next week" into
 * that week, and reads two dates joined as a range ("Monday or Tuesday") as the later one.
 * A date after "w/c" stands for that week's last working day.
 */
function merge(found: Candidate[], lower: string, workingDays?: WorkingDays): Candidate[] {
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
  const gap = (a: Candidate, b: Candidate) => lower.slice(a.end, b.index);
  const folded: Candidate[] = [];
  for (let i = 0; i < kept.length; i++) {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the index is within the array (the loop's bound)
    const c = kept[i]!;
    const next = kept[i + 1];
    const prev = folded[folded.length - 1];
    if (c.weekday && next?.explicit && /^[\s,]*(?:the\s+)?$/.test(gap(c, next))) {
      folded.push({ ...next, index: c.index });
      i++;
    } else if (c.timeWord && next && !next.timeOnly && /^[\s,]*(?:on\s+)?(?:the\s+)?$/.test(gap(c, next))) {
      folded.push({ ...next, index: c.index });
      i++;
    } else if (c.timeWord && prev && !prev.timeOnly && /^[\s,]*(?:at|by)?\s*$/.test(gap(prev, c))) {
      folded[folded.length - 1] = { ...prev, end: c.end };
    } else if (c.week && next?.weekday && WEEK_THEN_DAY.test(gap(c, next))) {
      folded.push({ ...c, end: next.end, dt: c.week.set({ weekday: next.weekday as 1 }), week: undefined });
      i++;
    } else {
      folded.push(c);
    }
  }
  const out: Candidate[] = [];
  for (const c of folded) {
    const wc = WEEK_COMMENCING.exec(lower.slice(Math.max(0, c.index - 30), c.index));
    const read = wc && !c.timeOnly ? { ...c, index: c.index - wc[0].length, dt: lastWorkingDayOfWeek(c.dt, workingDays) } : c;
    const prev = out[out.length - 1];
    if (prev && !prev.timeOnly && !read.timeOnly && RANGE_JOIN.test(lower.slice(prev.end, read.index))) {
      out[out.length - 1] = { ...prev, end: read.end, dt: read.dt > prev.dt ? read.dt : prev.dt, explicit: prev.explicit || read.explicit };
      continue;
    }
    out.push(read);
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

/**
 * A date two weeks after `reference`, written as an RM would ("19 December 2026"): the example in
 * a hint ("e.g. PAUSE until …") is always in the future, never a fixed date that has passed.
 */
export function exampleDate(reference: Date, timezone: string): string {
  return DateTime.fromJSDate(reference, { zone: timezone }).plus({ weeks: 2 }).toFormat('d MMMM yyyy');
}
