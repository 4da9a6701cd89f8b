import type { WorkCalendar } from '../domain/calendar/work-calendar.js';
import type { CaseFacts } from './case-facts.js';
import { CONCERN_LABEL } from './concern.js';

/**
 * The panel policy's "spreadsheet of escalations": one row per case. The column names are the
 * contract (people build pivot tables on them); add new columns at the end.
 */
export const SPREADSHEET_COLUMNS = [
  'Reference',
  'Organisation',
  'Child reference',
  'Category',
  'Concern type',
  'Ladder',
  'Opened',
  'Professional',
  'Local authority',
  'Current rung',
  'Next action date',
  'Status',
  'Resolved date',
  'Closed date',
  'Working days open',
  'Chasers sent',
  'Highest rung reached',
  'Subject',
  // The fostering panel escalation form (section A's and D's dates, section C, step 6): empty on other ladders.
  'Date of panel',
  'Escalation form due',
  'Section C actions',
  'Response received',
  'Sent to panel chair',
  'Sent to ADM',
  'Feedback to panel',
  'Further form recorded',
] as const;

export type SpreadsheetRow = Record<(typeof SPREADSHEET_COLUMNS)[number], string>;

/** Working days from the opening to the resolution or closure, or to `now` while open. */
export function workingDaysOpen(f: Pick<CaseFacts, 'openedAt' | 'resolvedAt' | 'closedAt'>, calendar: WorkCalendar, now: Date): number {
  const end = f.resolvedAt ?? f.closedAt;
  return calendar.workingDaysBetween(new Date(f.openedAt), end ? new Date(end) : now);
}

/** "2026-12-07 10:00" in the organisation's time: sorts as text and Excel reads it as a date. */
export function localDateTime(calendar: WorkCalendar, iso: string): string {
  return calendar.local(new Date(iso)).toFormat('yyyy-MM-dd HH:mm');
}

function currentRungText(f: CaseFacts): string {
  if (f.current) return `${f.current.n}. ${f.current.title}`;
  return f.highest ? `${f.highest.n}. ${f.highest.title} (top of ladder)` : '';
}

export function spreadsheetRow(f: CaseFacts, calendar: WorkCalendar, now: Date): SpreadsheetRow {
  const open = f.status !== 'resolved' && f.status !== 'closed';
  return {
    Reference: f.ref,
    Organisation: f.orgName,
    'Child reference': f.childRef ?? '',
    Category: f.category ?? '',
    'Concern type': f.concern ? CONCERN_LABEL[f.concern] : '',
    Ladder: f.ladderTitle,
    Opened: calendar.localDate(new Date(f.openedAt)),
    Professional: f.professionals.join('; '),
    'Local authority': f.localAuthority,
    'Current rung': open ? currentRungText(f) : '',
    'Next action date': open && f.nextActionAt ? localDateTime(calendar, f.nextActionAt) : '',
    Status: f.status,
    'Resolved date': f.resolvedAt ? calendar.localDate(new Date(f.resolvedAt)) : '',
    'Closed date': f.closedAt ? calendar.localDate(new Date(f.closedAt)) : '',
    'Working days open': String(workingDaysOpen(f, calendar, now)),
    'Chasers sent': String(f.chasersSent),
    'Highest rung reached': f.highest ? `${f.highest.n}. ${f.highest.title}` : '',
    Subject: f.subject,
    'Date of panel': f.panelForm?.dates['panel-date'] ?? '',
    'Escalation form due': f.panelForm?.dates['form-due'] ?? '',
    'Section C actions': (f.panelForm?.actions ?? [])
      .map((a) => `${a.action} (${a.who}${a.by || a.byText ? `, by ${a.by ?? a.byText ?? ''}` : ''})`)
      .join('; '),
    'Response received': f.panelForm?.dates.received ?? '',
    'Sent to panel chair': f.panelForm?.dates['sent-to-chair'] ?? '',
    'Sent to ADM': f.panelForm?.dates['sent-to-adm'] ?? '',
    'Feedback to panel': f.panelForm?.dates['feedback-to-panel'] ?? '',
    'Further form recorded': f.panelForm?.remainingConcerns ? calendar.localDate(new Date(f.panelForm.remainingConcerns.at)) : '',
  };
}

/** `a.localeCompare(b)` without a new collator per comparison (the same order by definition). */
const compareText = new Intl.Collator().compare;

/** Every case, oldest first, as rows of the spreadsheet. */
export function spreadsheetRows(facts: CaseFacts[], calendarFor: (orgId: string) => WorkCalendar, now: Date): SpreadsheetRow[] {
  return [...facts].sort((a, b) => compareText(a.openedAt, b.openedAt) || compareText(a.ref, b.ref)).map((f) => spreadsheetRow(f, calendarFor(f.orgId), now));
}

/** Header plus rows, ready for `toCsv`. */
export function spreadsheetTable(rows: SpreadsheetRow[]): string[][] {
  return [[...SPREADSHEET_COLUMNS], ...rows.map((r) => SPREADSHEET_COLUMNS.map((c) => r[c]))];
}
