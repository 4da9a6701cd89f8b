import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../../src/domain/calendar/work-calendar.js';
import type { Nation } from '../../../src/domain/calendar/nation.js';
import { findAllEnGbDates, findEnGbDate, localDate } from '../../../src/domain/inbound/en-gb-dates.js';

const TZ = 'Europe/London';
const TUE_1_DEC = new Date('2026-12-01T10:00:00Z');
const FRI_4_DEC = new Date('2026-12-04T10:00:00Z');
const SAT_5_DEC = new Date('2026-12-05T10:00:00Z');
const SUN_6_DEC = new Date('2026-12-06T10:00:00Z');
const WED_2_DEC = new Date('2026-12-02T10:00:00Z');
const MON_21_DEC = new Date('2026-12-21T10:00:00Z');
const WED_30_DEC = new Date('2026-12-30T10:00:00Z');

const date = (text: string, ref: Date, tz = TZ) => findEnGbDate(text, ref, tz)?.date;

describe('findEnGbDate', () => {
  it.each([
    ['by 4 December', '2026-12-04'],
    ['by the 4th of December', '2026-12-04'],
    ['4th Dec 2026', '2026-12-04'],
    ['Dec 4th', '2026-12-04'],
    ['December 4, 2026', '2026-12-04'],
    ['04-Dec-26', '2026-12-04'],
    ['2026-12-04', '2026-12-04'],
    ['04.12.2026', '2026-12-04'],
    ['4/12/26', '2026-12-04'],
    ['04/12/2026', '2026-12-04'],
  ])('reads the written-out date %j', (text, expected) => {
    expect(date(text, TUE_1_DEC)).toBe(expected);
  });

  it('reads numeric dates day first, as in Britain: 04/12 is 4 December, 12/04 is 12 April', () => {
    expect(date('04/12', TUE_1_DEC)).toBe('2026-12-04');
    expect(date('12/04', TUE_1_DEC)).toBe('2027-04-12');
    expect(date('13/01', TUE_1_DEC)).toBe('2027-01-13');
  });

  // "Friday" means the next Friday after the day it was written, so "by Friday" written on a
  // Friday is a week later (nobody writes "by Friday" meaning today). "this Friday" may be
  // today; "next Friday" is Friday of next (Monday-to-Sunday) week, which at a weekend is the
  // coming Friday.
  it.each([
    ['by Friday', TUE_1_DEC, '2026-12-04'],
    ['by Friday', FRI_4_DEC, '2026-12-11'],
    ['by Friday', SAT_5_DEC, '2026-12-11'],
    ['by Fri', TUE_1_DEC, '2026-12-04'],
    ['on Tuesday', TUE_1_DEC, '2026-12-08'],
    ['on Monday', SUN_6_DEC, '2026-12-07'],
    ['this Friday', FRI_4_DEC, '2026-12-04'],
    ['this Friday', SAT_5_DEC, '2026-12-11'],
    ['this Thursday', TUE_1_DEC, '2026-12-03'],
    ['next Friday', TUE_1_DEC, '2026-12-11'],
    ['next Friday', FRI_4_DEC, '2026-12-11'],
    ['next Friday', SAT_5_DEC, '2026-12-11'],
    ['next Friday', SUN_6_DEC, '2026-12-11'],
    ['next Monday', TUE_1_DEC, '2026-12-07'],
  ])('%j written on %s is %s', (text, ref, expected) => {
    expect(date(text, ref)).toBe(expected);
  });

  it('folds a day name into the date that follows it, even when they disagree', () => {
    expect(findEnGbDate('by Friday 4 December', TUE_1_DEC, TZ)).toMatchObject({ date: '2026-12-04', matched: 'Friday 4 December', explicit: true });
    expect(findEnGbDate('on Fri 11/12', TUE_1_DEC, TZ)).toMatchObject({ date: '2026-12-11', matched: 'Fri 11/12' });
    expect(findEnGbDate('Friday the 4th', TUE_1_DEC, TZ)).toMatchObject({ date: '2026-12-04', matched: 'Friday the 4th' });
    // Monday 4 December does not exist in 2026: the written date wins over the day name.
    expect(date('Monday 4 December', TUE_1_DEC)).toBe('2026-12-04');
    // Separate sentences are not folded together.
    expect(date('by Friday. On 14 December we have panel.', TUE_1_DEC)).toBe('2026-12-04');
  });

  it.each([
    ['end of next week', TUE_1_DEC, '2026-12-11'],
    ['by the end of next week', FRI_4_DEC, '2026-12-11'],
    ['end of next week', SAT_5_DEC, '2026-12-11'],
    ['end of next week', SUN_6_DEC, '2026-12-11'],
    ['next week', TUE_1_DEC, '2026-12-11'],
    ['early next week', TUE_1_DEC, '2026-12-08'],
    ['end of the week', TUE_1_DEC, '2026-12-04'],
    ['end of the week', SAT_5_DEC, '2026-12-11'],
    ['this week', WED_2_DEC, '2026-12-04'],
    ['today', TUE_1_DEC, '2026-12-01'],
    ['close of play', TUE_1_DEC, '2026-12-01'],
    ['tomorrow', TUE_1_DEC, '2026-12-02'],
    ['the day after tomorrow', TUE_1_DEC, '2026-12-03'],
    ['in 3 days', TUE_1_DEC, '2026-12-04'],
    ['in 3 working days', FRI_4_DEC, '2026-12-09'],
    ['within two weeks', TUE_1_DEC, '2026-12-15'],
    ['within a fortnight', TUE_1_DEC, '2026-12-15'],
    ['in a couple of days', TUE_1_DEC, '2026-12-03'],
    ['end of the month', TUE_1_DEC, '2026-12-31'],
    ['end of next month', TUE_1_DEC, '2027-01-31'],
    ['by the 4th', TUE_1_DEC, '2026-12-04'],
    ['by the 1st', WED_2_DEC, '2027-01-01'],
  ])('%j written on %s is %s', (text, ref, expected) => {
    expect(date(text, ref)).toBe(expected);
  });

  it('rolls into the new year in late December', () => {
    expect(date('by 4 January', MON_21_DEC)).toBe('2027-01-04');
    expect(date('04/01', MON_21_DEC)).toBe('2027-01-04');
    expect(date('by the 4th', MON_21_DEC)).toBe('2027-01-04');
    expect(date('by Friday', WED_30_DEC)).toBe('2027-01-01');
    expect(date('end of next week', WED_30_DEC)).toBe('2027-01-08');
    expect(date('in 5 working days', WED_30_DEC)).toBe('2027-01-06');
    expect(date('end of the month', WED_30_DEC)).toBe('2026-12-31');
    // A year written out is kept, even in the past.
    expect(date('4 January 2026', MON_21_DEC)).toBe('2026-01-04');
  });

  it('takes a day and month without a year as the nearest such date', () => {
    expect(date('20 November', WED_2_DEC)).toBe('2026-11-20');
    expect(date('1 June', WED_2_DEC)).toBe('2027-06-01');
    expect(date('30 November', TUE_1_DEC)).toBe('2026-11-30');
  });

  it('uses a time of day only when no day is given', () => {
    expect(date('by 3pm', TUE_1_DEC)).toBe('2026-12-01');
    expect(date('by 3pm on Friday', TUE_1_DEC)).toBe('2026-12-04');
    expect(date('by 17:00', TUE_1_DEC)).toBe('2026-12-01');
  });

  it.each([
    'at 10.30',
    'support 24/7',
    'about 1.5 hours',
    'version 2.3',
    '5 days ago',
    '5 days',
    'ext 1234',
    'room 12',
    '31/11',
    '31 November',
    '30 February 2027',
    'v1.2.3',
    'Hi Sam',
    '',
  ])('finds no date in %j', (text) => {
    expect(findEnGbDate(text, TUE_1_DEC, TZ)).toBeUndefined();
  });

  it('reads the reference day in the given timezone', () => {
    // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    const lateJune = new Date('2026-06-30T23:30:00Z');
    expect(localDate(lateJune, TZ)).toBe('2026-07-01');
    expect(date('tomorrow', lateJune, TZ)).toBe('2026-07-02');
    expect(date('tomorrow', lateJune, 'UTC')).toBe('2026-07-01');
  });

  it('records the words as written and where they are', () => {
    const text = 'Sorry — I will get them to you by Friday, or Monday 7 Dec at the latest.';
    const all = findAllEnGbDates(text, TUE_1_DEC, TZ);
    expect(all.map((d) => [d.date, d.matched])).toEqual([
      ['2026-12-04', 'Friday'],
      ['2026-12-07', 'Monday 7 Dec'],
    ]);
    expect(text.slice(all[1]!.index, all[1]!.index + all[1]!.matched.length)).toBe('Monday 7 Dec');
    expect(findEnGbDate('by 4 December.', TUE_1_DEC, TZ)?.matched).toBe('4 December');
  });
});

describe('working days on the organisation’s calendar', () => {
  const calendar = (nation: Nation) => new WorkCalendar({ nation, timezone: TZ, window: { start: '09:00', end: '17:00' } });
  const TUE_22_DEC = new Date('2026-12-22T10:00:00Z');
  const on = (text: string, ref: Date, nation?: Nation) => findEnGbDate(text, ref, TZ, nation ? { workingDays: calendar(nation) } : {})?.date;

  it.each([
    // 25 and 28 December are bank holidays everywhere in 2026 (Boxing Day falls on a Saturday).
    ['within 5 working days', '2026-12-22', 'england-and-wales', '2026-12-31'],
    ['within 5 working days', '2026-12-22', 'scotland', '2026-12-31'],
    ['within 5 working days', '2026-12-22', 'northern-ireland', '2026-12-31'],
    // Scotland also has 2 January, on a Saturday in 2027, so Monday 4 January off.
    ['in 7 working days', '2026-12-22', 'england-and-wales', '2027-01-05'],
    ['in 7 working days', '2026-12-22', 'scotland', '2027-01-06'],
    ['in 5 business days', '2026-12-30', 'england-and-wales', '2027-01-07'],
    ['in 5 business days', '2026-12-30', 'scotland', '2027-01-08'],
    ['in 5 business days', '2026-12-30', 'northern-ireland', '2027-01-07'],
    // St Patrick's Day is a bank holiday in Northern Ireland only.
    ['within three working days', '2027-03-15', 'england-and-wales', '2027-03-18'],
    ['within three working days', '2027-03-15', 'scotland', '2027-03-18'],
    ['within three working days', '2027-03-15', 'northern-ireland', '2027-03-19'],
  ] as const)('%j from %s in %s is %s', (text, ref, nation, expected) => {
    expect(on(text, new Date(`${ref}T10:00:00Z`), nation)).toBe(expected);
  });

  it('counts weekends only when no calendar is given, and leaves calendar days and weeks alone', () => {
    expect(on('within 5 working days', TUE_22_DEC)).toBe('2026-12-29');
    expect(on('in 5 days', TUE_22_DEC, 'england-and-wales')).toBe('2026-12-27');
    expect(on('within two weeks', TUE_22_DEC, 'scotland')).toBe('2027-01-05');
    expect(findAllEnGbDates('in 5 working days, or 4 January at the latest', TUE_22_DEC, TZ, { workingDays: calendar('scotland') }).map((d) => d.date)).toEqual(
      ['2026-12-31', '2027-01-04'],
    );
  });
});

describe('dates people write (issue 14, point 3)', () => {
  const calendar = (nation: Nation) => new WorkCalendar({ nation, timezone: TZ, window: { start: '09:00', end: '17:00' } });
  const at = (day: string) => new Date(`${day}T11:00:00Z`);
  const read = (text: string, day: string, nation?: Nation) =>
    findAllEnGbDates(text, at(day), TZ, nation ? { workingDays: calendar(nation) } : {}).map((d) => [d.date, d.matched]);

  it.each([
    // Monday 4 January 2027: w/c 11 January runs to Friday 15 January.
    ['I will send them w/c 11 January', '2027-01-04', '2027-01-15', 'w/c 11 January'],
    ['week commencing 18 January', '2027-01-11', '2027-01-22', 'week commencing 18 January'],
    ['W/C 11/01', '2027-01-04', '2027-01-15', 'W/C 11/01'],
    ['w/b the 11th', '2027-01-04', '2027-01-15', 'w/b the 11th'],
  ])('"week commencing" is the week’s last working day: %j on %s is %s', (text, day, expected, matched) => {
    expect(read(text, day)).toEqual([[expected, matched]]);
  });

  it('reads w/c over Christmas and New Year on the calendar: w/c 4th Jan 2027 ends Friday 8th', () => {
    expect(read('w/c 4th Jan', '2026-12-18', 'england-and-wales')).toEqual([['2027-01-08', 'w/c 4th Jan']]);
  });

  it.each([
    // Wednesday 2 December 2026.
    ['by close of play Friday', '2026-12-02', '2026-12-04', 'close of play Friday'],
    ['Friday close of play', '2026-12-02', '2026-12-04', 'Friday close of play'],
    ['by end of day on Thursday', '2026-12-02', '2026-12-03', 'end of day on Thursday'],
    ['COB tomorrow', '2027-01-21', '2027-01-22', 'COB tomorrow'],
    ['EOD 4 Dec', '2026-12-02', '2026-12-04', 'EOD 4 Dec'],
    ['by close of play', '2026-12-02', '2026-12-02', 'close of play'],
  ])('a time of day takes the day written next to it: %j on %s is %s', (text, day, expected, matched) => {
    expect(read(text, day)).toEqual([[expected, matched]]);
  });

  it('end of next week is its last working day: the Thursday when Friday is Good Friday', () => {
    // Wednesday 17 March 2027; Good Friday is 26 March 2027.
    expect(read('by the end of next week', '2027-03-17', 'england-and-wales')).toEqual([['2027-03-25', 'the end of next week']]);
    expect(read('by the end of next week', '2027-03-17')).toEqual([['2027-03-26', 'the end of next week']]);
    expect(read('end of the week', '2027-03-22', 'england-and-wales')).toEqual([['2027-03-25', 'end of the week']]);
  });

  it('after Christmas is the first working day after 1 January, on the organisation’s calendar', () => {
    expect(read('after Christmas', '2026-12-14', 'england-and-wales')).toEqual([['2027-01-04', 'after Christmas']]);
    // Scotland's 2 January falls on a Saturday in 2027: Monday 4 January is its holiday.
    expect(read('after Christmas', '2026-12-14', 'scotland')).toEqual([['2027-01-05', 'after Christmas']]);
    expect(read('after the festive break', '2026-12-21', 'england-and-wales')[0]?.[0]).toBe('2027-01-04');
    expect(read('in the new year', '2026-11-30', 'england-and-wales')[0]?.[0]).toBe('2027-01-04');
    // Written in January, it is this January's, already passed.
    expect(read('after Christmas', '2027-01-12', 'england-and-wales')[0]?.[0]).toBe('2027-01-04');
    // Easter Monday 29 March 2027 is a bank holiday in England and Wales.
    expect(read('after Easter', '2027-03-24', 'england-and-wales')).toEqual([['2027-03-30', 'after Easter']]);
  });

  it.each([
    ['between 14 and 18 December', '2026-12-01', '2026-12-18'],
    ['14-18 December', '2026-12-01', '2026-12-18'],
    ['14th to 18th December', '2026-12-01', '2026-12-18'],
    ['28 December - 4 January', '2026-12-01', '2027-01-04'],
    ['Monday or Tuesday', '2027-02-04', '2027-02-09'],
    ['Thursday/Friday', '2026-12-01', '2026-12-04'],
    ['by the 3rd or 4th', '2026-11-30', '2026-12-04'],
    ['between the 3rd and 4th December', '2026-11-30', '2026-12-04'],
  ])('a range is read to its later end: %j on %s is %s', (text, day, expected) => {
    const all = read(text, day);
    expect(all).toHaveLength(1);
    expect(all[0]?.[0]).toBe(expected);
  });

  it('keeps two dates apart when words stand between them', () => {
    expect(read('by Friday, or Monday at the latest', '2026-12-01').map(([d]) => d)).toEqual(['2026-12-04', '2026-12-07']);
  });

  it.each([
    // Wednesday 2 December 2026: Monday has passed this week, so it is next week's.
    ['on Monday', '2026-12-02', '2026-12-07'],
    ['this Monday', '2026-12-02', '2026-12-07'],
    ['by Tues', '2026-12-02', '2026-12-08'],
    ['Wednesday', '2026-12-02', '2026-12-09'],
    ['tomorrow', '2026-12-02', '2026-12-03'],
    ['tomorrow', '2026-12-04', '2026-12-05'],
  ])('a weekday already passed this week is next week’s: %j on %s is %s', (text, day, expected) => {
    expect(read(text, day)[0]?.[0]).toBe(expected);
  });

  it.each([
    ['next week, probably Tuesday', '2027-01-14', '2027-01-19'],
    ['a week today', '2027-01-20', '2027-01-27'],
    ['a week tomorrow', '2027-01-20', '2027-01-28'],
    ['by Friday 18th', '2026-12-09', '2026-12-18'],
    ['Monday 7th', '2026-12-03', '2026-12-07'],
    ['by the end of March', '2027-03-08', '2027-03-31'],
    ['by the end of January', '2026-12-08', '2027-01-31'],
    ['by the 4th please', '2026-12-01', '2026-12-04'],
  ])('%j on %s is %s', (text, day, expected) => {
    expect(read(text, day)[0]?.[0]).toBe(expected);
  });

  it('before Christmas is the last working day before Christmas Day', () => {
    expect(read('before Christmas', '2026-12-14', 'england-and-wales')).toEqual([['2026-12-24', 'before Christmas']]);
    // Christmas Day 2027 is a Saturday: Christmas Eve is the Friday.
    expect(read('before xmas', '2027-11-30', 'england-and-wales')[0]?.[0]).toBe('2027-12-24');
    // Christmas Day 2022 was a Sunday, Christmas Eve a Saturday: the Friday before.
    expect(read('before Christmas', '2022-12-01', 'england-and-wales')[0]?.[0]).toBe('2022-12-23');
  });

  it('the week after next is that week’s last working day', () => {
    // Tuesday 12 January 2027: the week after next runs 25-29 January.
    expect(read('realistically the week after next', '2027-01-12')).toEqual([['2027-01-29', 'the week after next']]);
  });

  it('"within the next 2 working days" counts working days as "within 2 working days" does', () => {
    // Thursday 24 December 2026: 25 and 28 December are bank holidays.
    expect(read('within the next 2 working days', '2026-12-24', 'england-and-wales')).toEqual([['2026-12-30', 'within the next 2 working days']]);
    expect(read('in the coming three days', '2026-12-01')[0]?.[0]).toBe('2026-12-04');
  });

  it('does not read fractions, relative spans or 24/7 as calendar dates', () => {
    expect(read('about 1/2 hours', '2026-12-01')).toEqual([]);
    expect(read('5 days ago', '2026-12-01')).toEqual([]);
    expect(read('support 24/7', '2026-12-01')).toEqual([]);
  });
});
