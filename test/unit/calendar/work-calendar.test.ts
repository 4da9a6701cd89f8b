/**
 * The UK working-day calendar. Every expected date below was worked out by hand from the published
 * bank holidays of each nation (gov.uk) and the real weekdays:
 *
 *   2026: Thu 1 Jan; Fri 2 Jan (Scotland); Tue 17 Mar (NI); Good Friday 3 Apr; Easter Monday 6 Apr
 *         (not Scotland); Mon 4 May; Mon 25 May; Mon 13 Jul (NI, 12 July is a Sunday); Mon 3 Aug
 *         (Scotland); Mon 31 Aug (not Scotland); Mon 30 Nov St Andrew's Day (Scotland);
 *         Fri 25 Dec; Mon 28 Dec (Boxing Day, Sat 26, substitute).
 *   2027: Fri 1 Jan; Mon 4 Jan (Scotland, 2 January is a Saturday); Wed 17 Mar (NI); Good Friday
 *         26 Mar; Easter Monday 29 Mar (not Scotland); Mon 3 May; Mon 31 May; Mon 12 Jul (NI);
 *         Mon 2 Aug (Scotland); Mon 30 Aug (not Scotland); Tue 30 Nov (Scotland); Mon 27 and
 *         Tue 28 Dec (Christmas on Saturday, Boxing Day on Sunday: both substituted).
 *
 * Europe/London is GMT (+00:00) until Sun 29 Mar 2026 01:00 UTC, BST (+01:00) until Sun 25 Oct 2026
 * 01:00 UTC, GMT again until Sun 28 Mar 2027 01:00 UTC (Easter Sunday), then BST until 31 Oct 2027.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/domain/calendar/duration.js';
import type { Nation } from '../../../src/domain/calendar/nation.js';
import { bankHolidays, WorkCalendar } from '../../../src/domain/calendar/work-calendar.js';

function cal(nation: Nation): WorkCalendar {
  return new WorkCalendar({ nation, timezone: 'Europe/London', window: { start: '09:00', end: '17:00' } });
}
const ENG = cal('england-and-wales');
const SCT = cal('scotland');
const NIR = cal('northern-ireland');

const at = (iso: string) => new Date(iso);

/** Every Monday–Friday of a year the calendar does not count as a working day. */
function weekdayHolidays(c: WorkCalendar, year: number): string[] {
  const out: string[] = [];
  for (let d = DateTime.fromISO(`${year}-01-01`, { zone: 'Europe/London' }); d.year === year; d = d.plus({ days: 1 })) {
    if (d.weekday <= 5 && !c.isWorkingDay(d)) out.push(d.toISODate()!);
  }
  return out;
}

describe('bank holidays of each nation', () => {
  it('England and Wales, 2026 and 2027', () => {
    expect(weekdayHolidays(ENG, 2026)).toEqual([
      '2026-01-01',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
    expect(weekdayHolidays(ENG, 2027)).toEqual([
      '2027-01-01',
      '2027-03-26',
      '2027-03-29',
      '2027-05-03',
      '2027-05-31',
      '2027-08-30',
      '2027-12-27',
      '2027-12-28',
    ]);
  });

  it('Scotland, 2026 and 2027: 2 January, St Andrew’s Day, August, no Easter Monday', () => {
    expect(weekdayHolidays(SCT, 2026)).toEqual([
      '2026-01-01',
      '2026-01-02',
      '2026-04-03',
      '2026-05-04',
      '2026-05-25',
      '2026-08-03',
      '2026-11-30',
      '2026-12-25',
      '2026-12-28',
    ]);
    expect(weekdayHolidays(SCT, 2027)).toEqual([
      '2027-01-01',
      '2027-01-04',
      '2027-03-26',
      '2027-05-03',
      '2027-05-31',
      '2027-08-02',
      '2027-11-30',
      '2027-12-27',
      '2027-12-28',
    ]);
  });

  it('Northern Ireland, 2026 and 2027: St Patrick’s Day and the Twelfth (substituted in 2026)', () => {
    expect(weekdayHolidays(NIR, 2026)).toEqual([
      '2026-01-01',
      '2026-03-17',
      '2026-04-03',
      '2026-04-06',
      '2026-05-04',
      '2026-05-25',
      '2026-07-13',
      '2026-08-31',
      '2026-12-25',
      '2026-12-28',
    ]);
    expect(weekdayHolidays(NIR, 2027)).toEqual([
      '2027-01-01',
      '2027-03-17',
      '2027-03-26',
      '2027-03-29',
      '2027-05-03',
      '2027-05-31',
      '2027-07-12',
      '2027-08-30',
      '2027-12-27',
      '2027-12-28',
    ]);
  });

  it('Mother’s Day, Easter Sunday and Father’s Day are observances, not holidays', () => {
    for (const nation of ['england-and-wales', 'scotland', 'northern-ireland'] as const) {
      const days2026 = bankHolidays(nation, 2026);
      const days2027 = bankHolidays(nation, 2027);
      for (const d of ['2026-03-15', '2026-04-05', '2026-06-21']) expect(days2026.has(d), `${nation} ${d}`).toBe(false);
      for (const d of ['2027-03-07', '2027-03-28', '2027-06-20']) expect(days2027.has(d), `${nation} ${d}`).toBe(false);
    }
    expect(ENG.holidayName('2027-03-28')).toBeUndefined();
    expect(ENG.holidayName('2027-03-26')).toBeDefined();
  });

  it('substitute days are holidays', () => {
    expect(ENG.holidayName('2026-12-28')).toBeDefined();
    expect(SCT.holidayName('2027-01-04')).toBeDefined();
    expect(ENG.holidayName('2027-01-04')).toBeUndefined();
    expect(NIR.holidayName('2026-07-13')).toBeDefined();
    expect(ENG.holidayName('2027-12-27')).toBeDefined();
    expect(ENG.isWorkingDay('2027-12-28')).toBe(false);
    expect(ENG.isWorkingDay('2027-12-29')).toBe(true);
  });
});

describe('Christmas and New Year 2026–27', () => {
  // Thursday 24 December 2026, 10:00 GMT.
  const eve = at('2026-12-24T10:00:00Z');

  it('England and Wales', () => {
    expect(ENG.iso(ENG.addWorkingDays(eve, 1))).toBe('2026-12-29T10:00:00+00:00');
    expect(ENG.iso(ENG.addWorkingDays(eve, 3))).toBe('2026-12-31T10:00:00+00:00');
    expect(ENG.iso(ENG.addWorkingDays(eve, 4))).toBe('2027-01-04T10:00:00+00:00');
    expect(ENG.iso(ENG.addWorkingDays(eve, 5))).toBe('2027-01-05T10:00:00+00:00');
    expect(ENG.workingDaysBetween(eve, at('2027-01-05T10:00:00Z'))).toBe(5);
    expect(ENG.iso(ENG.subtractWorkingDays(at('2027-01-04T10:00:00Z'), 1))).toBe('2026-12-31T10:00:00+00:00');
  });

  it('Scotland: 1 January and the 4 January substitute for 2 January', () => {
    expect(SCT.iso(SCT.addWorkingDays(eve, 1))).toBe('2026-12-29T10:00:00+00:00');
    expect(SCT.iso(SCT.addWorkingDays(eve, 4))).toBe('2027-01-05T10:00:00+00:00');
    expect(SCT.iso(SCT.addWorkingDays(eve, 5))).toBe('2027-01-06T10:00:00+00:00');
    expect(SCT.workingDaysBetween(eve, at('2027-01-05T10:00:00Z'))).toBe(4);
    expect(SCT.iso(SCT.subtractWorkingDays(at('2027-01-05T10:00:00Z'), 1))).toBe('2026-12-31T10:00:00+00:00');
  });

  it('Northern Ireland', () => {
    expect(NIR.iso(NIR.addWorkingDays(eve, 4))).toBe('2027-01-04T10:00:00+00:00');
  });

  it('2 January 2026 (a Friday) is a holiday in Scotland only', () => {
    const newYearsEve = at('2025-12-31T11:00:00Z');
    expect(ENG.iso(ENG.addWorkingDays(newYearsEve, 1))).toBe('2026-01-02T11:00:00+00:00');
    expect(SCT.iso(SCT.addWorkingDays(newYearsEve, 1))).toBe('2026-01-05T11:00:00+00:00');
  });

  it('two calendar weeks that land on the Boxing Day substitute go to the next opening', () => {
    const start = at('2026-12-14T10:00:00Z');
    expect(ENG.iso(ENG.due(start, parseDuration('2w')))).toBe('2026-12-29T09:00:00+00:00');
    expect(SCT.iso(SCT.due(start, parseDuration('2w')))).toBe('2026-12-29T09:00:00+00:00');
    // Three weeks: Mon 4 Jan 2027, a working day except in Scotland.
    expect(ENG.iso(ENG.due(start, parseDuration('3w')))).toBe('2027-01-04T10:00:00+00:00');
    expect(SCT.iso(SCT.due(start, parseDuration('3w')))).toBe('2027-01-05T09:00:00+00:00');
  });

  it('opening on Christmas Day or New Year’s Day waits for the next working morning', () => {
    expect(ENG.iso(ENG.nextOpening(at('2026-12-25T12:00:00Z')))).toBe('2026-12-29T09:00:00+00:00');
    expect(ENG.iso(ENG.nextOpening(at('2027-01-01T11:00:00Z')))).toBe('2027-01-04T09:00:00+00:00');
    expect(SCT.iso(SCT.nextOpening(at('2027-01-01T11:00:00Z')))).toBe('2027-01-05T09:00:00+00:00');
  });
});

describe('Easter 2027', () => {
  // Thursday 25 March 2027, 16:00 GMT; the clocks go forward on Easter Sunday, 28 March.
  const maundy = at('2027-03-25T16:00:00Z');

  it('Easter Monday is a holiday in England, Wales and Northern Ireland but not in Scotland', () => {
    expect(ENG.iso(ENG.addWorkingDays(maundy, 1))).toBe('2027-03-30T16:00:00+01:00');
    expect(NIR.iso(NIR.addWorkingDays(maundy, 1))).toBe('2027-03-30T16:00:00+01:00');
    expect(SCT.iso(SCT.addWorkingDays(maundy, 1))).toBe('2027-03-29T16:00:00+01:00');
    expect(SCT.isWorkingDay('2027-03-29')).toBe(true);
    expect(ENG.isWorkingDay('2027-03-26')).toBe(false);
    expect(SCT.isWorkingDay('2027-03-26')).toBe(false);
  });

  it('opening on Good Friday', () => {
    expect(ENG.iso(ENG.nextOpening(at('2027-03-26T10:00:00Z')))).toBe('2027-03-30T09:00:00+01:00');
    expect(SCT.iso(SCT.nextOpening(at('2027-03-26T10:00:00Z')))).toBe('2027-03-29T09:00:00+01:00');
    // 09:00 BST is 08:00 UTC.
    expect(ENG.nextOpening(at('2027-03-26T10:00:00Z')).toISOString()).toBe('2027-03-30T08:00:00.000Z');
  });
});

describe('Scotland’s and Northern Ireland’s own days', () => {
  it('St Andrew’s Day, Monday 30 November 2026', () => {
    const friday = at('2026-11-27T14:00:00Z');
    expect(SCT.iso(SCT.addWorkingDays(friday, 1))).toBe('2026-12-01T14:00:00+00:00');
    expect(ENG.iso(ENG.addWorkingDays(friday, 1))).toBe('2026-11-30T14:00:00+00:00');
    expect(NIR.iso(NIR.addWorkingDays(friday, 1))).toBe('2026-11-30T14:00:00+00:00');
  });

  it('St Patrick’s Day, Wednesday 17 March 2027', () => {
    const tuesday = at('2027-03-16T10:00:00Z');
    expect(NIR.iso(NIR.addWorkingDays(tuesday, 1))).toBe('2027-03-18T10:00:00+00:00');
    expect(ENG.iso(ENG.addWorkingDays(tuesday, 1))).toBe('2027-03-17T10:00:00+00:00');
    expect(SCT.iso(SCT.addWorkingDays(tuesday, 1))).toBe('2027-03-17T10:00:00+00:00');
  });

  it('the Twelfth, Monday 12 July 2027, and its 2026 substitute Monday 13 July', () => {
    // Friday 9 July 2027 10:00 BST (09:00 UTC).
    const friday = at('2027-07-09T09:00:00Z');
    expect(NIR.iso(NIR.addWorkingDays(friday, 1))).toBe('2027-07-13T10:00:00+01:00');
    expect(ENG.iso(ENG.addWorkingDays(friday, 1))).toBe('2027-07-12T10:00:00+01:00');
    // Friday 10 July 2026.
    expect(NIR.iso(NIR.addWorkingDays(at('2026-07-10T09:00:00Z'), 1))).toBe('2026-07-14T10:00:00+01:00');
    expect(ENG.iso(ENG.addWorkingDays(at('2026-07-10T09:00:00Z'), 1))).toBe('2026-07-13T10:00:00+01:00');
  });
});

describe('clock changes: local times stay local', () => {
  it('spring 2026 (Sunday 29 March): 09:00 GMT on Friday + 1 working day is 09:00 BST on Monday', () => {
    const friday = at('2026-03-27T09:00:00Z');
    const monday = ENG.addWorkingDays(friday, 1);
    expect(ENG.iso(monday)).toBe('2026-03-30T09:00:00+01:00');
    expect(monday.toISOString()).toBe('2026-03-30T08:00:00.000Z');
    // One calendar week on is Good Friday, then Easter Monday: Tuesday 7 April at 09:00 BST.
    expect(ENG.iso(ENG.due(friday, parseDuration('1w')))).toBe('2026-04-07T09:00:00+01:00');
    expect(ENG.iso(ENG.addCalendarDays(at('2026-03-28T09:00:00Z'), 1))).toBe('2026-03-29T09:00:00+01:00');
  });

  it('autumn 2026 (Sunday 25 October): 09:00 BST on Friday + 1 working day is 09:00 GMT on Monday', () => {
    const friday = at('2026-10-23T08:00:00Z');
    expect(ENG.iso(friday)).toBe('2026-10-23T09:00:00+01:00');
    const monday = ENG.addWorkingDays(friday, 1);
    expect(ENG.iso(monday)).toBe('2026-10-26T09:00:00+00:00');
    expect(monday.toISOString()).toBe('2026-10-26T09:00:00.000Z');
    expect(ENG.iso(ENG.due(friday, parseDuration('1w')))).toBe('2026-10-30T09:00:00+00:00');
    expect(ENG.iso(ENG.nextOpening(at('2026-10-25T08:30:00Z')))).toBe('2026-10-26T09:00:00+00:00');
  });

  it('the send window follows local time across the change', () => {
    // Monday 30 March 2026 (BST): 08:00 UTC is 09:00 local.
    expect(ENG.isOpen(at('2026-03-30T07:59:00Z'))).toBe(false);
    expect(ENG.isOpen(at('2026-03-30T08:00:00Z'))).toBe(true);
    expect(ENG.isOpen(at('2026-03-30T15:59:00Z'))).toBe(true);
    expect(ENG.isOpen(at('2026-03-30T16:00:00Z'))).toBe(false);
    // Monday 26 October 2026 (GMT): 09:00 UTC is 09:00 local.
    expect(ENG.isOpen(at('2026-10-26T08:30:00Z'))).toBe(false);
    expect(ENG.isOpen(at('2026-10-26T16:30:00Z'))).toBe(true);
  });
});

describe('the send window: opening times, evenings, weekends and holidays', () => {
  it('16:59 is inside the window; 17:00 and 17:01 wait for the next morning', () => {
    const monday = at('2026-11-23T16:59:00Z');
    expect(ENG.isOpen(monday)).toBe(true);
    expect(ENG.nextOpening(monday).toISOString()).toBe('2026-11-23T16:59:00.000Z');
    expect(ENG.iso(ENG.nextOpening(at('2026-11-23T17:00:00Z')))).toBe('2026-11-24T09:00:00+00:00');
    expect(ENG.iso(ENG.nextOpening(at('2026-11-23T17:01:00Z')))).toBe('2026-11-24T09:00:00+00:00');
    // Before opening on a working day: the same morning.
    expect(ENG.iso(ENG.nextOpening(at('2026-11-24T08:59:00Z')))).toBe('2026-11-24T09:00:00+00:00');
  });

  it('3 working days from an opening at 16:59 or 17:01', () => {
    expect(ENG.iso(ENG.due(at('2026-11-23T16:59:00Z'), parseDuration('3wd')))).toBe('2026-11-26T16:59:00+00:00');
    // 17:01 + 3wd is Thu 17:01, after closing: Friday morning.
    expect(ENG.iso(ENG.due(at('2026-11-23T17:01:00Z'), parseDuration('3wd')))).toBe('2026-11-27T09:00:00+00:00');
  });

  it('Friday evening goes to Monday, or Tuesday in Scotland when Monday is St Andrew’s Day', () => {
    const fridayEvening = at('2026-11-27T17:01:00Z');
    expect(ENG.iso(ENG.nextOpening(fridayEvening))).toBe('2026-11-30T09:00:00+00:00');
    expect(SCT.iso(SCT.nextOpening(fridayEvening))).toBe('2026-12-01T09:00:00+00:00');
    expect(ENG.iso(ENG.nextOpening(at('2026-11-28T12:00:00Z')))).toBe('2026-11-30T09:00:00+00:00');
    expect(ENG.nextDayOpening(at('2026-11-27T10:00:00Z')).toISOString()).toBe('2026-11-30T09:00:00.000Z');
  });

  it('on a bank holiday morning, the next working day', () => {
    expect(ENG.iso(ENG.nextOpening(at('2026-12-28T10:00:00Z')))).toBe('2026-12-29T09:00:00+00:00');
    expect(ENG.isOpen(at('2026-12-28T10:00:00Z'))).toBe(false);
    expect(ENG.iso(ENG.addWorkingDays(at('2026-12-28T10:00:00Z'), 1))).toBe('2026-12-29T10:00:00+00:00');
    // Easter Monday 2026 is a holiday in Northern Ireland but a working day in Scotland.
    expect(NIR.iso(NIR.nextOpening(at('2026-04-06T09:30:00Z')))).toBe('2026-04-07T09:00:00+01:00');
    expect(SCT.nextOpening(at('2026-04-06T09:30:00Z')).toISOString()).toBe('2026-04-06T09:30:00.000Z');
  });

  it('same-day is the next opening; PAUSE dates open at 09:00 local', () => {
    expect(ENG.iso(ENG.due(at('2026-11-23T20:00:00Z'), parseDuration('same-day')))).toBe('2026-11-24T09:00:00+00:00');
    expect(ENG.iso(ENG.openingOf('2026-12-04'))).toBe('2026-12-04T09:00:00+00:00');
    // A pause "until" a Saturday opens on the Monday.
    expect(ENG.iso(ENG.openingOf('2026-12-05'))).toBe('2026-12-07T09:00:00+00:00');
    expect(ENG.iso(ENG.openingOf('2026-07-01'))).toBe('2026-07-01T09:00:00+01:00');
  });

  it('formats dates as mails show them', () => {
    expect(ENG.format(at('2026-12-07T09:00:00Z'))).toBe('Monday 7 December 2026 at 09:00');
    expect(ENG.formatDate(at('2027-03-29T08:00:00Z'))).toBe('Monday 29 March 2027');
  });

  it('refuses an unknown timezone and a window that closes before it opens', () => {
    expect(() => new WorkCalendar({ nation: 'scotland', timezone: 'Europe/Nowhere', window: { start: '09:00', end: '17:00' } })).toThrow(/timezone/);
    expect(() => new WorkCalendar({ nation: 'scotland', timezone: 'Europe/London', window: { start: '17:00', end: '09:00' } })).toThrow(/window/);
  });
});
