import { DateTime } from 'luxon';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, a: 1 };

function monthIndex(word: string): number {
  const w = word.toLowerCase().replace(/\.$/, '');
  return MONTHS.findIndex((m) => m === w || (w.length >= 3 && m.startsWith(w)));
}

function weekdayIndex(word: string): number {
  const w = word.toLowerCase();
  return WEEKDAYS.findIndex((d) => d === w || (w.length >= 3 && d.startsWith(w)));
}

/** A day-month without a year means the next such date on or after the reference day. */
function upcoming(ref: DateTime, month: number, day: number, year?: number): DateTime | undefined {
  if (year !== undefined) {
    const y = year < 100 ? 2000 + year : year;
    const dt = DateTime.fromObject({ year: y, month: month + 1, day }, { zone: ref.zone });
    return dt.isValid ? dt : undefined;
  }
  let dt = DateTime.fromObject({ year: ref.year, month: month + 1, day }, { zone: ref.zone });
  if (!dt.isValid) return undefined;
  if (dt < ref.startOf('day')) dt = dt.plus({ years: 1 });
  return dt;
}

export interface ParsedDate {
  date: string;
  /** The words that gave it, for the audit trail. */
  matched: string;
}

/**
 * Finds the first date in en-GB prose, relative to `reference` in `timezone`: "4 December",
 * "4th Dec 2026", "04/12/2026", "2026-12-04", "Friday", "next Tuesday", "tomorrow",
 * "end of the week", "end of next week", "next week", "end of the month", "in 3 days",
 * "within two weeks". Day/month order is British: 04/12 is the 4th of December.
 */
export function findEnGbDate(text: string, reference: Date, timezone: string): ParsedDate | undefined {
  const ref = DateTime.fromJSDate(reference, { zone: timezone }).startOf('day');
  const lower = text.toLowerCase();
  const candidates: Array<{ index: number; dt: DateTime; matched: string }> = [];
  const push = (index: number, dt: DateTime | undefined, matched: string) => {
    if (dt?.isValid) candidates.push({ index, dt, matched });
  };
  let m: RegExpExecArray | null;

  const iso = /\b(\d{4})-(\d{2})-(\d{2})\b/g;
  while ((m = iso.exec(lower))) push(m.index, upcoming(ref, Number(m[2]) - 1, Number(m[3]), Number(m[1])), m[0]);

  const numeric = /\b(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?\b/g;
  while ((m = numeric.exec(lower))) {
    const day = Number(m[1]);
    const month = Number(m[2]) - 1;
    if (month < 0 || month > 11) continue;
    push(m.index, upcoming(ref, month, day, m[3] ? Number(m[3]) : undefined), m[0]);
  }

  const dayMonth = /\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+([a-z]{3,9})\.?(?:,?\s+(\d{4}))?\b/g;
  while ((m = dayMonth.exec(lower))) {
    const month = monthIndex(m[2]!);
    if (month >= 0) push(m.index, upcoming(ref, month, Number(m[1]), m[3] ? Number(m[3]) : undefined), m[0]);
  }

  const monthDay = /\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b/g;
  while ((m = monthDay.exec(lower))) {
    const month = monthIndex(m[1]!);
    if (month >= 0) push(m.index, upcoming(ref, month, Number(m[2]), m[3] ? Number(m[3]) : undefined), m[0]);
  }

  const relative: Array<[RegExp, (match: RegExpExecArray) => DateTime | undefined]> = [
    [/\btoday\b|\bend of (?:the )?day\b|\bcob\b|\beod\b/g, () => ref],
    [/\btomorrow\b/g, () => ref.plus({ days: 1 })],
    [/\bend of next week\b/g, () => ref.plus({ weeks: 1 }).set({ weekday: 5 })],
    [/\bnext week\b/g, () => ref.plus({ weeks: 1 }).set({ weekday: 5 })],
    [/\b(?:end of|by) (?:the|this) week\b|\bthis week\b/g, () => (ref.weekday <= 5 ? ref.set({ weekday: 5 }) : ref.plus({ weeks: 1 }).set({ weekday: 5 }))],
    [/\bend of (?:the |this )?month\b/g, () => ref.endOf('month').startOf('day')],
    [/\bend of next month\b/g, () => ref.plus({ months: 1 }).endOf('month').startOf('day')],
    [
      /\b(?:in|within)\s+(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a)\s+(working days?|days?|weeks?)\b/g,
      (x) => {
        const n = /^\d+$/.test(x[1]!) ? Number(x[1]) : (NUMBER_WORDS[x[1]!] ?? 0);
        const unit = x[2]!;
        if (unit.startsWith('working')) {
          let d = ref;
          let left = n;
          while (left > 0) {
            d = d.plus({ days: 1 });
            if (d.weekday <= 5) left--;
          }
          return d;
        }
        return unit.startsWith('week') ? ref.plus({ weeks: n }) : ref.plus({ days: n });
      },
    ],
    [
      /\b(next\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri)\b/g,
      (x) => {
        const wd = weekdayIndex(x[2]!) + 1;
        let d = ref.set({ weekday: wd as 1 });
        if (d <= ref) d = d.plus({ weeks: 1 });
        if (x[1]) d = d < ref.plus({ weeks: 1 }).startOf('week') ? d.plus({ weeks: 1 }) : d;
        return d;
      },
    ],
  ];
  for (const [pattern, toDate] of relative) {
    while ((m = pattern.exec(lower))) push(m.index, toDate(m), m[0]);
  }
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => a.index - b.index || b.matched.length - a.matched.length);
  const first = candidates[0]!;
  return { date: first.dt.toISODate()!, matched: text.substr(first.index, first.matched.length) };
}
