/**
 * When the digest's BullMQ job scheduler fires. BullMQ computes a pattern's next run with
 * cron-parser in the scheduler's `tz`; these tests ask the same function (bullmq's getNextMillis)
 * from the injected clock's "now", and check it against cron-parser directly. Europe/London is
 * GMT until Sunday 28 March 2027 01:00 UTC and BST (UTC+1) after; it went back to GMT on Sunday
 * 25 October 2026. A Monday 08:00 digest is therefore 08:00 UTC in GMT weeks and 07:00 UTC in BST weeks.
 */
import { readFileSync } from 'node:fs';
import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { ManualClock } from '../../../src/lib/clock.js';
import { isoWeekOf } from '../../../src/reports/week.js';
import { digestPattern, digestRepeat, lastDigestRun, nextDigestRuns } from '../../../src/workflows/digest-schedule.js';

const LONDON = { timezone: 'Europe/London', digest: { enabled: true, day: 'monday' as const, time: '08:00' } };
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('the digest schedule', () => {
  it('turns the configured day and time into a cron pattern', () => {
    expect(digestPattern({ day: 'monday', time: '08:00' })).toBe('0 8 * * 1');
    expect(digestPattern({ day: 'friday', time: '16:30' })).toBe('30 16 * * 5');
    expect(digestPattern({ day: 'sunday', time: '00:05' })).toBe('5 0 * * 0');
    expect(digestRepeat(LONDON)).toEqual({ pattern: '0 8 * * 1', tz: 'Europe/London' });
  });

  it('fires at 08:00 London time in a GMT week', () => {
    const clock = new ManualClock('2026-11-24T09:00:00Z');
    expect(iso(nextDigestRuns(digestRepeat(LONDON), clock.now()))).toEqual(['2026-11-30T08:00:00.000Z']);
  });

  it('fires at 08:00 London time in a BST week', () => {
    const clock = new ManualClock('2027-03-30T09:00:00Z');
    expect(iso(nextDigestRuns(digestRepeat(LONDON), clock.now()))).toEqual(['2027-04-05T07:00:00.000Z']);
  });

  it('keeps to 08:00 local across both clock changes', () => {
    const clock = new ManualClock('2026-10-12T09:00:00Z');
    // 19 October is BST; the clocks go back on 25 October; 26 October is GMT.
    expect(iso(nextDigestRuns(digestRepeat(LONDON), clock.now(), 3))).toEqual([
      '2026-10-19T07:00:00.000Z',
      '2026-10-26T08:00:00.000Z',
      '2026-11-02T08:00:00.000Z',
    ]);
    clock.set('2027-03-16T12:00:00Z');
    // The clocks go forward on Sunday 28 March; the very next morning is BST.
    const spring = nextDigestRuns(digestRepeat(LONDON), clock.now(), 3);
    expect(iso(spring)).toEqual(['2027-03-22T08:00:00.000Z', '2027-03-29T07:00:00.000Z', '2027-04-05T07:00:00.000Z']);
    for (const run of spring) expect(DateTime.fromJSDate(run, { zone: 'Europe/London' }).toFormat('ccc HH:mm')).toBe('Mon 08:00');
  });

  it('is what cron-parser itself says for the same pattern, zone and current date', () => {
    for (const start of ['2026-11-24T09:00:00Z', '2027-03-30T09:00:00Z', '2027-03-27T23:30:00Z']) {
      const clock = new ManualClock(start);
      const direct = CronExpressionParser.parse('0 8 * * 1', { currentDate: clock.now(), tz: 'Europe/London' }).next().toDate();
      expect(nextDigestRuns(digestRepeat(LONDON), clock.now())[0]).toEqual(direct);
    }
  });

  it('a Monday 08:00 that has just gone waits a week', () => {
    const clock = new ManualClock('2026-11-30T08:00:00Z');
    expect(iso(nextDigestRuns(digestRepeat(LONDON), clock.now()))).toEqual(['2026-12-07T08:00:00.000Z']);
  });
});

describe('digest.time validation', () => {
  const base = readFileSync('config/escalator.local.yaml', 'utf8');
  const withTime = (time: string) =>
    base.replace('    defaultLadder: childrens-home-reg5', `    defaultLadder: childrens-home-reg5\n    digest:\n      time: "${time}"`);

  it('refuses a time in the 01:00–02:00 clock-change hour, naming the key', () => {
    for (const time of ['01:00', '01:30', '01:59']) {
      expect(() => parseConfig(withTime(time), {}, 'escalator.yaml')).toThrow(
        /organisations\[0\]\.digest\.time: digest\.time 01:\d\d is in the 01:00–02:00 hour when the clocks change/,
      );
    }
  });

  it('accepts the hours either side, and defaults to Monday 08:00', () => {
    expect(parseConfig(withTime('00:59'), {}).organisations[0]!.digest.time).toBe('00:59');
    expect(parseConfig(withTime('02:00'), {}).organisations[0]!.digest.time).toBe('02:00');
    expect(parseConfig(base, {}).organisations[0]!.digest).toEqual({ enabled: true, day: 'monday', time: '08:00' });
  });
});

describe('the slot a digest run stands for', () => {
  const SUNDAY_LATE = { timezone: 'Europe/London', digest: { enabled: true, day: 'sunday' as const, time: '23:30' } };

  it('is the slot itself when the job runs on time', () => {
    expect(lastDigestRun(digestRepeat(LONDON), new Date('2026-11-30T08:00:00Z')).toISOString()).toBe('2026-11-30T08:00:00.000Z');
  });

  it('stays the Sunday slot when a retry runs after midnight, so the week is not the next one', () => {
    // Sunday 6 December 2026 23:30 GMT is ISO week 49; Monday 00:20 is week 50.
    const retriedAt = new Date('2026-12-07T00:20:00Z');
    const slot = lastDigestRun(digestRepeat(SUNDAY_LATE), retriedAt);
    expect(slot.toISOString()).toBe('2026-12-06T23:30:00.000Z');
    expect(isoWeekOf(slot, 'Europe/London').key).toBe('2026-W49');
    expect(isoWeekOf(retriedAt, 'Europe/London').key).toBe('2026-W50');
  });

  it('follows local time in a BST week', () => {
    // Monday 5 April 2027 08:00 BST is 07:00 UTC; a run at 07:45 UTC stands for it.
    expect(lastDigestRun(digestRepeat(LONDON), new Date('2027-04-05T07:45:00Z')).toISOString()).toBe('2027-04-05T07:00:00.000Z');
  });
});
