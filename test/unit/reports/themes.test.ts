import { describe, expect, it } from 'vitest';
import { concernOf } from '../../../src/reports/concern.js';
import { toCsv, parseCsv } from '../../../src/reports/csv.js';
import { buildThemes, median, percentile, themesTable } from '../../../src/reports/themes.js';
import { isoWeekOf, localDayRange, parseQuarter, previousIsoWeek } from '../../../src/reports/week.js';
import { CAL, factsOf, reg5 } from './report-fixtures.js';

describe('median and 90th percentile', () => {
  it('median is the middle value, or the mean of the middle two', () => {
    expect(median([])).toBeNull();
    expect(median([7])).toBe(7);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('the 90th percentile is by nearest rank', () => {
    expect(percentile([], 90)).toBeNull();
    expect(percentile([3], 90)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11], 90)).toBe(10);
    expect(percentile([5, 1], 90)).toBe(5);
  });
});

describe('concern types from the panel form', () => {
  it.each([
    ['Adherence to timescales', 'procedural'],
    ['Appropriate planning processes / care plan', 'procedural'],
    ['Checks / references completed', 'procedural'],
    ['LAC review minutes', 'procedural'],
    ['Quality of reports', 'practice'],
    ['Quality of assessment', 'practice'],
    ['Quality of analysis', 'practice'],
    ['Inclusion of key individuals', 'practice'],
    ['Decision Making and Intervention', 'practice'],
    ['Safeguarding concerns', 'practice'],
    ['Procedural: anything at all', 'procedural'],
    ['Practice - late report', 'practice'],
  ])('%s is %s', (category, concern) => {
    expect(concernOf(category)).toBe(concern);
  });

  it('leaves a category that names neither unclassified', () => {
    expect(concernOf('Transport')).toBeNull();
    expect(concernOf(undefined)).toBeNull();
  });
});

describe('weeks and quarters', () => {
  it('reads quarters in the organisation’s timezone', () => {
    const q = parseQuarter('2026Q4', 'Europe/London');
    expect(q.key).toBe('2026Q4');
    // Midnight on 1 October is still BST (UTC+1); 1 January is GMT.
    expect(q.start.toISOString()).toBe('2026-09-30T23:00:00.000Z');
    expect(q.end.toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(parseQuarter('q1 2027', 'Europe/London').key).toBe('2027Q1');
    expect(parseQuarter('2027-Q2', 'Europe/London').start.toISOString()).toBe('2027-03-31T23:00:00.000Z');
    expect(() => parseQuarter('2026Q5', 'Europe/London')).toThrow(/not a quarter/);
  });

  it('takes ISO weeks from Monday 00:00 local time, across the year end', () => {
    expect(isoWeekOf(new Date('2026-12-14T08:00:00Z'), 'Europe/London').key).toBe('2026-W51');
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'), 'Europe/London').key).toBe('2026-W53');
    expect(isoWeekOf(new Date('2027-01-04T00:30:00Z'), 'Europe/London').key).toBe('2027-W01');
    // Sunday 23:30 in BST is still Sunday locally (22:30 UTC) and Monday 00:30 BST is Sunday 23:30 UTC.
    expect(isoWeekOf(new Date('2027-04-04T23:30:00Z'), 'Europe/London').key).toBe('2027-W14');
    expect(previousIsoWeek(new Date('2027-01-04T09:00:00Z'), 'Europe/London').key).toBe('2026-W53');
  });

  it('reads --from and --to as whole local days', () => {
    const r = localDayRange('2026-07-01', '2026-07-31', 'Europe/London');
    expect(r.from!.toISOString()).toBe('2026-06-30T23:00:00.000Z');
    expect(r.to!.toISOString()).toBe('2026-07-31T23:00:00.000Z');
    expect(() => localDayRange('1 July', undefined, 'Europe/London')).toThrow(/--from must be a date/);
  });
});

describe('quarterly themes', () => {
  const NOW = '2027-01-05T10:00:00Z';
  // Three cases opened in Q4 2026 and one in Q3; two resolved in Q4 (one of them opened in Q3).
  const q3 = reg5('ESC-2026-0001', '2026-09-14T10:00:00Z', { category: 'Quality of reports' });
  q3.at('2026-10-05T10:00:00Z').command({ kind: 'resolved' });
  const a = reg5('ESC-2026-0002', '2026-11-02T10:00:00Z', { category: 'LAC review minutes' });
  a.at('2026-11-16T10:00:00Z').advance();
  a.at('2026-11-18T10:00:00Z').reply('professional', 'resolved');
  // The RM confirms it (a reply alone never closes the case).
  a.command({ kind: 'resolved' });
  const b = reg5('ESC-2026-0003', '2026-11-02T10:00:00Z', { category: 'lac review minutes ' });
  b.at('2026-11-03T10:00:00Z').commands([
    { kind: 'escalate' },
    { kind: 'escalate' },
    { kind: 'escalate' },
    { kind: 'escalate' },
    { kind: 'approve' },
    { kind: 'escalate' },
    { kind: 'skip' },
  ]);
  const c = reg5('ESC-2026-0004', '2026-12-01T10:00:00Z', { professional: 'x@eastshire.gov.uk' });
  const facts = [q3, a, b, c].map((d) => factsOf(d, NOW));
  const model = buildThemes(facts, { quarter: parseQuarter('2026Q4', 'Europe/London'), calendar: CAL, organisations: ['Example Home'], now: new Date(NOW) });

  it('counts the quarter’s cases by concern, category, authority and highest rung', () => {
    expect(model.opened).toBe(3);
    expect(model.stillOpen).toBe(2);
    expect(model.byConcern).toEqual([
      { label: 'Procedural', count: 2 },
      { label: 'Practice', count: 0 },
      { label: 'Not classified (no category, or neither kind)', count: 1 },
    ]);
    expect(model.byCategory).toEqual([
      // Spelled two ways, one theme.
      { label: 'LAC review minutes', count: 2 },
      { label: '(no category)', count: 1 },
    ]);
    expect(model.byAuthority).toEqual([
      { label: 'Northshire County Council', count: 2 },
      { label: 'eastshire.gov.uk', count: 1 },
    ]);
    expect(model.byHighestRung).toEqual([
      { label: '0. No chaser sent', count: 1 },
      { label: '1. Reminder to the professional', count: 1 },
      { label: '4. Email to the Director of Children’s Services', count: 1 },
    ]);
  });

  it('times resolutions of cases resolved in the quarter, whenever they were opened, in working days', () => {
    // 14 Sep → 5 Oct: 15 working days; 2 Nov → 18 Nov: 12 working days.
    expect(model.resolution).toEqual({ count: 2, median: 13.5, p90: 15, min: 12, max: 15 });
  });

  it('counts approvals given and skipped in the quarter', () => {
    expect(model.approvals).toEqual({ given: 1, skipped: 1, pending: 0 });
  });

  it('writes the same figures as CSV', () => {
    const rows = parseCsv(toCsv(themesTable(model)));
    expect(rows[0]).toEqual(['Section', 'Label', 'Value']);
    expect(rows).toContainEqual(['By concern (panel form)', 'Procedural', '2']);
    expect(rows).toContainEqual(['Resolved in quarter', 'Median working days to resolution', '13.5']);
    expect(rows).toContainEqual(['Approvals', 'Skipped', '1']);
  });
});
