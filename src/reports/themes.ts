import { must } from '../lib/must.js';
import type { WorkCalendar } from '../domain/calendar/work-calendar.js';
import type { CaseFacts } from './case-facts.js';
import { CONCERN_LABEL } from './concern.js';
import type { CsvValue } from './csv.js';
import type { Quarter } from './week.js';

/**
 * The panel adviser's quarterly "overview report of key themes … including detail of any
 * escalations" (fostering-panel-escalation.txt, Monitoring and Reporting).
 *
 * Populations, stated in the report itself:
 * - the counts (by concern, category, local authority, highest rung) are of cases OPENED in the quarter;
 * - working days to resolution are of cases RESOLVED in the quarter (whenever opened);
 * - approvals are the RM's decisions MADE in the quarter (and drafts requested in it still waiting).
 */
export interface CountRow {
  label: string;
  count: number;
}

export interface ThemesModel {
  quarter: { key: string; label: string; from: string; to: string };
  organisations: string[];
  /** The one ladder the report is limited to (`--ladder`), by title; null for every ladder. */
  ladder: { id: string; title: string } | null;
  generatedAt: string;
  opened: number;
  stillOpen: number;
  byConcern: CountRow[];
  byCategory: CountRow[];
  byAuthority: CountRow[];
  byHighestRung: CountRow[];
  resolution: { count: number; median: number | null; p90: number | null; min: number | null; max: number | null };
  approvals: { given: number; skipped: number; pending: number };
  cases: {
    ref: string;
    organisation: string;
    childRef: string;
    category: string;
    concern: string;
    authority: string;
    opened: string;
    status: string;
    highest: string;
    workingDaysToResolution: string;
  }[];
}

/** The median: the middle value, or the mean of the two middle values. Null for no values. */
export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  const at = (i: number) => must(v[i], `value ${i} of ${v.length}`);
  return v.length % 2 ? at(mid) : (at(mid - 1) + at(mid)) / 2;
}

/** The p-th percentile by the nearest-rank method: the smallest value with at least p% of values at or below it. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  if (p <= 0 || p > 100) throw new Error('percentile: p must be in (0, 100]');
  const v = [...values].sort((a, b) => a - b);
  // 0 < p <= 100 puts the rank in 1..length.
  return must(v[Math.ceil((p / 100) * v.length) - 1], `the ${p}th percentile of ${v.length} values`);
}

function within(iso: string | null, q: Quarter): boolean {
  if (!iso) return false;
  const t = new Date(iso).getTime();
  return t >= q.start.getTime() && t < q.end.getTime();
}

/** Counts labels; labels that differ only in case or spacing count together, under the first spelling seen. */
function countBy(items: string[], order?: string[]): CountRow[] {
  const key = (label: string) => label.trim().replace(/\s+/g, ' ').toLowerCase();
  const counts = new Map<string, CountRow>();
  for (const label of order ?? []) counts.set(key(label), { label, count: 0 });
  for (const label of items) {
    const row = counts.get(key(label)) ?? { label: label.trim().replace(/\s+/g, ' '), count: 0 };
    row.count++;
    counts.set(key(label), row);
  }
  const rows = [...counts.values()];
  if (order) return rows;
  return rows.sort((a, b) => b.count - a.count || a.label.localeCompare(b.label, 'en-GB'));
}

const NOT_CLASSIFIED = 'Not classified (no category, or neither kind)';
const NONE_SENT = '0. No chaser sent';

export interface ThemesOptions {
  quarter: Quarter;
  /** The report's own calendar: dates are shown in its timezone. */
  calendar: WorkCalendar;
  /** Each organisation's calendar, for its working days (default: `calendar`). */
  calendarFor?: (orgId: string) => WorkCalendar;
  organisations: string[];
  /**
   * Only the cases of this ladder (the panel adviser's quarterly overview covers the fostering
   * panel's escalations alone); the title is how the report names it.
   */
  ladder?: { id: string; title: string };
  now: Date;
}

export function buildThemes(all: CaseFacts[], opts: ThemesOptions): ThemesModel {
  const q = opts.quarter;
  const facts = opts.ladder ? all.filter((f) => f.ladderId === opts.ladder?.id) : all;
  const calendarFor = opts.calendarFor ?? (() => opts.calendar);
  const opened = facts.filter((f) => within(f.openedAt, q)).sort((a, b) => a.openedAt.localeCompare(b.openedAt) || a.ref.localeCompare(b.ref));
  const resolved = facts.flatMap((f) => (f.status === 'resolved' && f.resolvedAt !== null && within(f.resolvedAt, q) ? [{ f, resolvedAt: f.resolvedAt }] : []));
  const days = resolved.map(({ f, resolvedAt }) => calendarFor(f.orgId).workingDaysBetween(new Date(f.openedAt), new Date(resolvedAt)));
  const highestLabel = (f: CaseFacts) => (f.highest ? `${f.highest.n}. ${f.highest.title}` : NONE_SENT);
  const byHighest = countBy(opened.map(highestLabel)).sort(
    (a, b) => Number.parseInt(a.label, 10) - Number.parseInt(b.label, 10) || a.label.localeCompare(b.label, 'en-GB'),
  );
  const decisions = facts.flatMap((f) => f.approvals);
  const fmt = (d: Date) => opts.calendar.localDate(d);
  return {
    quarter: { key: q.key, label: `Quarter ${q.quarter} ${q.year}`, from: fmt(q.start), to: fmt(new Date(q.end.getTime() - 1)) },
    organisations: opts.organisations,
    ladder: opts.ladder ?? null,
    generatedAt: opts.calendar.format(opts.now),
    opened: opened.length,
    stillOpen: opened.filter((f) => f.status !== 'resolved' && f.status !== 'closed').length,
    byConcern: countBy(
      opened.map((f) => (f.concern ? CONCERN_LABEL[f.concern] : NOT_CLASSIFIED)),
      [CONCERN_LABEL.procedural, CONCERN_LABEL.practice, NOT_CLASSIFIED],
    ),
    byCategory: countBy(opened.map((f) => (f.category ?? '').trim() || '(no category)')),
    byAuthority: countBy(opened.map((f) => f.localAuthority)),
    byHighestRung: byHighest,
    resolution: {
      count: days.length,
      median: median(days),
      p90: percentile(days, 90),
      min: days.length ? Math.min(...days) : null,
      max: days.length ? Math.max(...days) : null,
    },
    approvals: {
      given: decisions.filter((d) => d.decision === 'approved' && within(d.at, q)).length,
      skipped: decisions.filter((d) => d.decision === 'skipped' && within(d.at, q)).length,
      pending: decisions.filter((d) => d.decision === 'pending' && within(d.requestedAt, q)).length,
    },
    cases: opened.map((f) => {
      const cal = calendarFor(f.orgId);
      return {
        ref: f.ref,
        organisation: f.orgName,
        childRef: f.childRef ?? '',
        category: f.category ?? '',
        concern: f.concern ? CONCERN_LABEL[f.concern] : '',
        authority: f.localAuthority,
        opened: cal.localDate(new Date(f.openedAt)),
        status: f.status,
        highest: f.highest ? highestLabel(f) : '',
        workingDaysToResolution: f.status === 'resolved' && f.resolvedAt ? String(cal.workingDaysBetween(new Date(f.openedAt), new Date(f.resolvedAt))) : '',
      };
    }),
  };
}

/** The report as one CSV table of section, label, value (one row per case is `escalator export`). */
export function themesTable(m: ThemesModel): CsvValue[][] {
  const rows: CsvValue[][] = [['Section', 'Label', 'Value']];
  rows.push(['Quarter', m.quarter.key, `${m.quarter.from} to ${m.quarter.to}`]);
  if (m.ladder) rows.push(['Ladder', m.ladder.id, m.ladder.title]);
  rows.push(['Opened in quarter', 'Cases', m.opened]);
  rows.push(['Opened in quarter', 'Still open', m.stillOpen]);
  for (const r of m.byConcern) rows.push(['By concern (panel form)', r.label, r.count]);
  for (const r of m.byCategory) rows.push(['By category', r.label, r.count]);
  for (const r of m.byAuthority) rows.push(['By local authority', r.label, r.count]);
  for (const r of m.byHighestRung) rows.push(['By highest rung reached', r.label, r.count]);
  rows.push(['Resolved in quarter', 'Cases', m.resolution.count]);
  rows.push(['Resolved in quarter', 'Median working days to resolution', m.resolution.median ?? '']);
  rows.push(['Resolved in quarter', '90th percentile working days to resolution', m.resolution.p90 ?? '']);
  rows.push(['Approvals', 'Given', m.approvals.given]);
  rows.push(['Approvals', 'Skipped', m.approvals.skipped]);
  rows.push(['Approvals', 'Waiting', m.approvals.pending]);
  return rows;
}
