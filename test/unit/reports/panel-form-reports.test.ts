/**
 * Issue 15.4, fostering panel: the escalation form's fields (section A's date of panel and the 5
 * working days for the form, section C's actions, section D's dates, step 6's further form) in the
 * evidence pack (summary page), the spreadsheet export, and the quarterly themes report limited
 * to the panel's cases (`--ladder fostering-panel`).
 */
import { describe, expect, it } from 'vitest';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { buildEvidencePack } from '../../../src/reports/evidence-pack.js';
import { renderEvidenceHtml, renderThemesHtml } from '../../../src/reports/render.js';
import { spreadsheetRow } from '../../../src/reports/spreadsheet.js';
import { buildThemes, themesTable } from '../../../src/reports/themes.js';
import { parseQuarter } from '../../../src/reports/week.js';
import { addr } from '../case/case-driver.js';
import { CAL, factsOf, fosteringPanel, reg5 } from './report-fixtures.js';

const SCRIPT = '<script>alert("x")</script>';
const NOW = '2026-12-01T10:00:00Z';

function panelCase() {
  const d = fosteringPanel('ESC-2026-0100', '2026-11-02T10:00:00Z', { category: 'Quality of assessment' });
  d.at('2026-11-02T11:00:00Z').commands([
    { kind: 'directive', directive: { kind: 'panel-date', field: 'panel-date', date: '2026-10-29' } },
    { kind: 'directive', directive: { kind: 'panel-action', action: { action: 'complete the references', who: 'Team manager', by: '2026-11-20' } } },
    { kind: 'directive', directive: { kind: 'panel-action', action: { action: 'training on analysis', who: 'Practice lead', byText: 'end of term' } } },
  ]);
  d.at('2026-11-12T10:00:00Z').commands([
    { kind: 'directive', directive: { kind: 'panel-date', field: 'received', date: '2026-11-11' } },
    { kind: 'directive', directive: { kind: 'panel-date', field: 'sent-to-chair', date: '2026-11-12' } },
    { kind: 'directive', directive: { kind: 'panel-date', field: 'sent-to-adm', date: '2026-11-12' } },
    { kind: 'directive', directive: { kind: 'panel-date', field: 'feedback-to-panel', date: '2026-11-26' } },
  ]);
  d.at('2026-11-13T10:00:00Z').command(
    { kind: 'directive', directive: { kind: 'remaining-concerns', text: `the references are still missing ${SCRIPT}` } },
    { email: addr('panel-chair') },
  );
  return d;
}

describe('the fostering panel escalation form in the reports', () => {
  const d = panelCase();

  it('the evidence pack’s first page shows the form: dates in the form’s order, section C, and the further form', () => {
    const model = buildEvidencePack({
      state: d.state,
      ctx: { ...d.ctx(), now: new Date(NOW) },
      org: { name: 'x', mailbox: 'y' },
      events: [],
      messages: [],
      generatedBy: 'x',
    });
    expect(model.panelForm).toEqual({
      dates: [
        { label: 'Date of fostering panel', value: 'Thursday 29 October 2026' },
        { label: 'Escalation form due (5 working days after the panel)', value: 'Thursday 5 November 2026' },
        { label: 'Date response received', value: 'Wednesday 11 November 2026' },
        { label: 'Date sent to panel chair', value: 'Thursday 12 November 2026' },
        { label: 'Date sent to ADM', value: 'Thursday 12 November 2026' },
        { label: 'Date for feedback to fostering panel', value: 'Thursday 26 November 2026' },
      ],
      actions: [
        { action: 'complete the references', who: 'Team manager', by: 'Friday 20 November 2026' },
        { action: 'training on analysis', who: 'Practice lead', by: 'end of term' },
      ],
      remaining: { at: 'Fri 13 Nov 2026, 10:00 GMT', by: 'panel-chair@la.example.gov.uk (Panel chair)', text: `the references are still missing ${SCRIPT}` },
    });
    const html = renderEvidenceHtml(new TemplateStore(), model);
    const summary = html.slice(0, html.indexOf('Chronology'));
    expect(summary).toContain('Fostering panel escalation form');
    expect(summary).toContain('Date sent to ADM');
    expect(summary).toContain('complete the references');
    expect(summary).toContain('Further form (step 6)');
    expect(html).not.toContain(SCRIPT);
    expect(html).toContain('&lt;script&gt;');
  });

  it('a case without the form has no such section', () => {
    const other = reg5('ESC-2026-0101', '2026-11-02T10:00:00Z');
    const model = buildEvidencePack({ state: other.state, ctx: other.ctx(), org: { name: 'x', mailbox: 'y' }, events: [], messages: [], generatedBy: 'x' });
    expect(model.panelForm).toBeNull();
    expect(renderEvidenceHtml(new TemplateStore(), model)).not.toContain('Fostering panel escalation form');
  });

  it('the spreadsheet export has the form’s columns (empty on other ladders)', () => {
    const row = spreadsheetRow(factsOf(d, NOW), CAL, new Date(NOW));
    expect(row).toMatchObject({
      'Date of panel': '2026-10-29',
      'Escalation form due': '2026-11-05',
      'Section C actions': 'complete the references (Team manager, by 2026-11-20); training on analysis (Practice lead, by end of term)',
      'Response received': '2026-11-11',
      'Sent to panel chair': '2026-11-12',
      'Sent to ADM': '2026-11-12',
      'Feedback to panel': '2026-11-26',
      'Further form recorded': '2026-11-13',
    });
    const other = spreadsheetRow(factsOf(reg5('ESC-2026-0102', '2026-11-02T10:00:00Z'), NOW), CAL, new Date(NOW));
    expect(other['Date of panel']).toBe('');
    expect(other['Section C actions']).toBe('');
  });

  it('the quarterly themes report limited to the panel’s cases counts only them, and says so', () => {
    const facts = [factsOf(d, NOW), factsOf(reg5('ESC-2026-0103', '2026-11-03T10:00:00Z', { category: 'Quality of reports' }), NOW)];
    const quarter = parseQuarter('2026Q4', 'Europe/London');
    const all = buildThemes(facts, { quarter, calendar: CAL, organisations: ['Example Home'], now: new Date(NOW) });
    expect(all.opened).toBe(2);
    expect(all.ladder).toBeNull();
    const only = buildThemes(facts, {
      quarter,
      calendar: CAL,
      organisations: ['Example Home'],
      ladder: { id: 'fostering-panel', title: 'Fostering panel' },
      now: new Date(NOW),
    });
    expect(only.opened).toBe(1);
    expect(only.byCategory).toEqual([{ label: 'Quality of assessment', count: 1 }]);
    expect(themesTable(only)).toContainEqual(['Ladder', 'fostering-panel', 'Fostering panel']);
    expect(renderThemesHtml(new TemplateStore(), only)).toContain('Fostering panel only');
  });
});
