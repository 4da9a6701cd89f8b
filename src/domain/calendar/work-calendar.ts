import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import type { Duration } from './duration.js';
import { HOLIDAY_REGION, type Nation } from './nation.js';

export interface SendWindow {
  /** Local opening time, "HH:MM" (inclusive). */
  start: string;
  /** Local closing time, "HH:MM" (exclusive: a mail due at 17:00 waits for the next opening). */
  end: string;
}

export interface CalendarSettings {
  nation: Nation;
  timezone: string;
  window: SendWindow;
}

export interface BankHoliday {
  date: string;
  name: string;
}

const holidayCache = new Map<string, Map<string, string>>();

/**
 * Bank holidays of one nation for one year, keyed by local date (YYYY-MM-DD).
 * Only `type: 'public'` days count: date-holidays also lists observances such as
 * Mother's Day and Easter Sunday, which are not days off. Substitute days are public.
 */
export function bankHolidays(nation: Nation, year: number): Map<string, string> {
  const key = `${nation}:${year}`;
  let days = holidayCache.get(key);
  if (!days) {
    const hd = new Holidays('GB', HOLIDAY_REGION[nation], { types: ['public'] });
    days = new Map();
    for (const h of hd.getHolidays(year)) {
      // `date` is the local calendar date; `start` is UTC and falls a day early in summer.
      if (h.type === 'public') days.set(h.date.slice(0, 10), h.name);
    }
    holidayCache.set(key, days);
  }
  return days;
}

const DAY_MS = 86_400_000;

/**
 * Instants already seen, as luxon DateTimes in their zone. A DateTime is immutable, so one can be
 * handed out again; making one costs an Intl time-zone lookup (~5 µs), and a digest of 5,000
 * cases converted ~44,000 instants of which ~6,700 were distinct. Bounded: emptied when full.
 */
const LOCAL_CACHE_LIMIT = 16_384;
const localCache = new Map<string, Map<number, DateTime>>();
let localCacheSize = 0;

// The names spelled out rather than asked of Intl: luxon's locale formatting (formatToParts on
// every call) was two thirds of the digest of an organisation with 5,000 open cases.
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function longDate(dt: DateTime): string {
  return `${WEEKDAYS[dt.weekday - 1]} ${dt.day} ${MONTHS[dt.month - 1]} ${dt.year}`;
}

function localTime(zone: string, instant: Date): DateTime {
  const ms = instant.getTime();
  let byZone = localCache.get(zone);
  const cached = byZone?.get(ms);
  if (cached) return cached;
  const dt = DateTime.fromJSDate(instant, { zone });
  if (localCacheSize >= LOCAL_CACHE_LIMIT) {
    localCache.clear();
    localCacheSize = 0;
    byZone = undefined;
  }
  if (!byZone) localCache.set(zone, (byZone = new Map<number, DateTime>()));
  byZone.set(ms, dt);
  localCacheSize++;
  return dt;
}

/** Monday to Friday, for a UTC midnight standing for a local calendar date. */
function isWeekday(utcMidnight: number): boolean {
  const day = new Date(utcMidnight).getUTCDay();
  return day !== 0 && day !== 6;
}

function minutesOf(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * The organisation's working calendar: its nation's bank holidays, weekends, its timezone
 * and its send window. Pure: every answer is a function of the arguments and the settings.
 */
export class WorkCalendar {
  readonly nation: Nation;
  readonly timezone: string;
  readonly window: SendWindow;
  private readonly openMin: number;
  private readonly closeMin: number;

  constructor(settings: CalendarSettings) {
    this.nation = settings.nation;
    this.timezone = settings.timezone;
    this.window = settings.window;
    this.openMin = minutesOf(settings.window.start);
    this.closeMin = minutesOf(settings.window.end);
    if (!DateTime.now().setZone(settings.timezone).isValid) {
      throw new Error(`unknown timezone "${settings.timezone}"`);
    }
    if (this.openMin >= this.closeMin) {
      throw new Error(`send window ${settings.window.start}–${settings.window.end} closes before it opens`);
    }
  }

  local(instant: Date): DateTime {
    return localTime(this.timezone, instant);
  }

  holidayName(localDate: string): string | undefined {
    return bankHolidays(this.nation, Number(localDate.slice(0, 4))).get(localDate);
  }

  isWorkingDay(day: DateTime | string): boolean {
    const dt = typeof day === 'string' ? DateTime.fromISO(day, { zone: this.timezone }) : day.setZone(this.timezone);
    if (dt.weekday > 5) return false;
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- Luxon gives null only for an invalid DateTime; this one comes from a valid instant
    return this.holidayName(dt.toISODate()!) === undefined;
  }

  /** Inside the send window on a working day. */
  isOpen(instant: Date): boolean {
    const local = this.local(instant);
    if (!this.isWorkingDay(local)) return false;
    const min = local.hour * 60 + local.minute;
    return min >= this.openMin && min < this.closeMin;
  }

  private openingOn(day: DateTime): DateTime {
    return day.startOf('day').set({ hour: Math.floor(this.openMin / 60), minute: this.openMin % 60 });
  }

  /** `instant` itself when the window is open, otherwise the next window opening. */
  nextOpening(instant: Date): Date {
    if (this.isOpen(instant)) return instant;
    let day = this.local(instant);
    const min = day.hour * 60 + day.minute;
    if (!(this.isWorkingDay(day) && min < this.openMin)) day = day.plus({ days: 1 });
    for (let guard = 0; guard < 366; guard++) {
      if (this.isWorkingDay(day)) return this.openingOn(day).toJSDate();
      day = day.plus({ days: 1 });
    }
    throw new Error('no working day within a year');
  }

  /** The next window opening strictly after `instant`'s working day ends (used for "tomorrow morning"). */
  nextDayOpening(instant: Date): Date {
    return this.nextOpening(this.local(instant).plus({ days: 1 }).startOf('day').toJSDate());
  }

  /** N working days later at the same local time of day. */
  addWorkingDays(instant: Date, n: number): Date {
    let day = this.local(instant);
    let left = n;
    while (left > 0) {
      day = day.plus({ days: 1 });
      if (this.isWorkingDay(day)) left--;
    }
    return day.toJSDate();
  }

  /** N working days earlier at the same local time of day. */
  subtractWorkingDays(instant: Date, n: number): Date {
    let day = this.local(instant);
    let left = n;
    while (left > 0) {
      day = day.minus({ days: 1 });
      if (this.isWorkingDay(day)) left--;
    }
    return day.toJSDate();
  }

  /** Calendar days in local time, so 09:00 stays 09:00 across a clock change. */
  addCalendarDays(instant: Date, n: number): Date {
    return this.local(instant).plus({ days: n }).toJSDate();
  }

  /** Raw addition of a policy duration, before the send window is applied. */
  add(instant: Date, d: Duration): Date {
    switch (d.unit) {
      case 'same-day':
        return instant;
      case 'wd':
        return this.addWorkingDays(instant, d.n);
      case 'd':
        return this.addCalendarDays(instant, d.n);
      case 'w':
        return this.addCalendarDays(instant, d.n * 7);
    }
  }

  /** When something `d` after `from` falls due: the raw moment, moved to the next window opening. */
  due(from: Date, d: Duration): Date {
    return this.nextOpening(this.add(from, d));
  }

  /** Working days after `a`'s local date up to and including `b`'s (0 when b is not after a). */
  workingDaysBetween(a: Date, b: Date): number {
    const from = this.local(a);
    const to = this.local(b);
    // Counted on local calendar dates, whose weekday and bank holiday need no time zone: whole
    // weeks have five weekdays, the remaining days are looked at one by one, and the bank holidays
    // on weekdays in the span are taken off. (A luxon step per day cost ~20 µs, and the digest
    // counts months of days for every open case.)
    const start = Date.UTC(from.year, from.month - 1, from.day);
    const end = Date.UTC(to.year, to.month - 1, to.day);
    if (end <= start) return 0;
    const days = Math.round((end - start) / DAY_MS);
    const weeks = Math.floor(days / 7);
    let count = weeks * 5;
    for (let t = start + (weeks * 7 + 1) * DAY_MS; t <= end; t += DAY_MS) if (isWeekday(t)) count++;
    const first = new Date(start).toISOString().slice(0, 10);
    const last = new Date(end).toISOString().slice(0, 10);
    for (let year = from.year; year <= to.year; year++) {
      for (const date of bankHolidays(this.nation, year).keys()) {
        // Only the year's own dates: a day is looked up in the map of its own year.
        if (date > first && date <= last && date.startsWith(`${year}-`) && isWeekday(Date.parse(`${date}T00:00:00Z`))) count--;
      }
    }
    return count;
  }

  /** The send window's close (e.g. 17:00) on a local date: the end of that working day. */
  closeOf(localDate: string): Date {
    const day = DateTime.fromISO(localDate, { zone: this.timezone }).startOf('day');
    return day.set({ hour: Math.floor(this.closeMin / 60), minute: this.closeMin % 60 }).toJSDate();
  }

  /** The local date of the last working day strictly before `instant`'s local date. */
  lastWorkingDayBefore(instant: Date): string {
    let day = this.local(instant).startOf('day');
    for (let guard = 0; guard < 366; guard++) {
      day = day.minus({ days: 1 });
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- Luxon gives null only for an invalid DateTime; this one comes from a valid instant
      if (this.isWorkingDay(day)) return day.toISODate()!;
    }
    throw new Error('no working day within a year');
  }

  /**
   * The deadline a step gives when the next one goes at `next`: the close of the last working day
   * before the day it goes. Never the same moment as the next step, and nobody is chased on the
   * morning of their own deadline day.
   */
  deadlineBefore(next: Date): Date {
    return this.closeOf(this.lastWorkingDayBefore(next));
  }

  /** The opening of the working day `instant` falls on (or of the next one): where working-day rungs go. */
  openingOfDay(instant: Date): Date {
    return this.openingOf(this.localDate(instant));
  }

  /** Local date (YYYY-MM-DD) of an instant. */
  localDate(instant: Date): string {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- Luxon gives null only for an invalid DateTime; this one comes from a valid instant
    return this.local(instant).toISODate()!;
  }

  /** Start of a local date's send window, e.g. for "PAUSE until 4 December". */
  openingOf(localDate: string): Date {
    return this.nextOpening(this.openingOn(DateTime.fromISO(localDate, { zone: this.timezone })).toJSDate());
  }

  /** "Tuesday 24 November 2026 at 09:00" (en-GB): how moments appear in mails and timetables. */
  format(instant: Date): string {
    const dt = this.local(instant);
    return `${longDate(dt)} at ${String(dt.hour).padStart(2, '0')}:${String(dt.minute).padStart(2, '0')}`;
  }

  /** "Tuesday 24 November 2026" (en-GB). */
  formatDate(instant: Date): string {
    return longDate(this.local(instant));
  }

  /** ISO 8601 with the local offset, as the CLI's JSON prints it. */
  iso(instant: Date): string {
    // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- Luxon gives null only for an invalid DateTime; this one comes from a valid instant
    return this.local(instant).toISO({ suppressMilliseconds: true })!;
  }
}
