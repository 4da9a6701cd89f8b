/**
 * Issue 15.4, fostering panel: step 6's order and the escalation form as case data. Pure, on the
 * shipped ladder, England and Wales (GMT in November, so local times are UTC). Monday 2 November
 * 2026, 10:00: the panel adviser sends the form to the responsible manager.
 */
import { describe, expect, it } from 'vitest';
import { applyPanelDirective, splitPanelAction } from '../../../src/domain/case/panel-form.js';
import { parseDirectives } from '../../../src/domain/inbound/directives.js';
import { applyCommands } from '../../../src/domain/case/apply-commands.js';
import { timetableRows } from '../../../src/domain/case/timetable-view.js';
import { simulateLadder } from '../../../src/domain/ladder/simulate.js';
import { buildMailContext } from '../../../src/outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../../../src/outbound/render/render-mail.js';
import { store } from '../templates/template-helpers.js';
import { CaseDriver, addr, calendar, emails, ladder, mailsOf, people } from './case-driver.js';

const PANEL_PEOPLE = ['responsible-manager', 'panel-adviser', 'senior-manager', 'adm', 'panel-chair'];

function panel(variant: 'standard' | 'urgent' = 'standard', panelLines: Parameters<CaseDriver['open']>[0]['panelLines'] = []): CaseDriver {
  const d = new CaseDriver(ladder('fostering-panel'));
  d.at('2026-11-02T10:00:00Z').open({ participants: people(...PANEL_PEOPLE), variant, panelLines });
  return d;
}

const parse = (text: string) =>
  parseDirectives(text, {
    roles: ['adm', 'panel-chair', 'senior-manager'],
    ladderIds: ['fostering-panel'],
    reference: new Date('2026-11-02T10:00:00Z'),
    timezone: 'Europe/London',
  });

const remaining = (text: string) => ({ kind: 'directive' as const, directive: { kind: 'remaining-concerns' as const, text } });

describe('the form’s lines are directives', () => {
  it('reads the form’s dates by its own labels and the short forms', () => {
    const p = parse(
      [
        'Panel date: 29 October 2026',
        'Date sent to ADM: 12/11/2026',
        'Sent to panel chair: 12 November 2026',
        'Date received: 11 November 2026',
        'Date for feedback to fostering panel: 26 November 2026',
        'Form due: 5 November 2026',
      ].join('\n'),
    );
    expect(p.problems).toEqual([]);
    expect(p.items.map((i) => i.directive)).toEqual([
      { kind: 'panel-date', field: 'panel-date', date: '2026-10-29' },
      { kind: 'panel-date', field: 'sent-to-adm', date: '2026-11-12' },
      { kind: 'panel-date', field: 'sent-to-chair', date: '2026-11-12' },
      { kind: 'panel-date', field: 'received', date: '2026-11-11' },
      { kind: 'panel-date', field: 'feedback-to-panel', date: '2026-11-26' },
      { kind: 'panel-date', field: 'form-due', date: '2026-11-05' },
    ]);
  });

  it('a section C action is what, by whom and by when; the further form is its text', () => {
    const p = parse(
      'Panel action: review the assessment with the supervising social worker; Team manager; 15 January 2027\nRemaining concerns: the checks and references are still not complete',
    );
    expect(p.items.map((i) => i.directive)).toEqual([
      { kind: 'panel-action', action: { action: 'review the assessment with the supervising social worker', who: 'Team manager', by: '2027-01-15' } },
      { kind: 'remaining-concerns', text: 'the checks and references are still not complete' },
    ]);
    expect(splitPanelAction('training on analysis | by Jo Bloggs | by when: end of term')).toEqual({
      action: 'training on analysis',
      who: 'Jo Bloggs',
      when: 'end of term',
    });
    expect(parse('Panel action: just the action').problems).toHaveLength(1);
    expect(parse('Panel date: soonish').problems[0]).toMatch(/not a date I can read/);
  });

  it('the panel’s date sets the chair’s 5 working days for the form; a Form due line of its own stands', () => {
    const cal = calendar();
    const at = new Date('2026-11-02T10:00:00Z');
    // Thursday 24 December 2026: 29, 30, 31 December, 4, 5 January (Christmas, Boxing Day substitute, New Year's Day skipped).
    const a = applyPanelDirective(undefined, { kind: 'panel-date', field: 'panel-date', date: '2026-12-24' }, cal, at, 'x');
    expect(a.form.dates['form-due']).toBe('2027-01-05');
    expect(a.said).toMatch(/due by 2027-01-05/);
    // Corrected panel date: the worked-out due date follows it.
    const b = applyPanelDirective(a.form, { kind: 'panel-date', field: 'panel-date', date: '2026-10-29' }, cal, at, 'x');
    expect(b.form.dates['form-due']).toBe('2026-11-05');
    const own = applyPanelDirective(b.form, { kind: 'panel-date', field: 'form-due', date: '2026-11-09' }, cal, at, 'x');
    const again = applyPanelDirective(own.form, { kind: 'panel-date', field: 'panel-date', date: '2026-10-30' }, cal, at, 'x');
    expect(again.form.dates['form-due']).toBe('2026-11-09');
    // Copies: the form given is not changed.
    expect(a.form.dates['panel-date']).toBe('2026-12-24');
  });
});

describe('step 6: the further form before the more senior manager is written to', () => {
  it('kept from the request, and each later line is recorded on the case', () => {
    const d = panel('standard', [
      { kind: 'panel-date', field: 'panel-date', date: '2026-10-29' },
      { kind: 'panel-action', action: { action: 'complete the references', who: 'Team manager', by: '2026-11-20' } },
    ]);
    expect(d.state.panelForm).toEqual({
      dates: { 'panel-date': '2026-10-29', 'form-due': '2026-11-05' },
      actions: [{ action: 'complete the references', who: 'Team manager', by: '2026-11-20' }],
    });
    const r = d.at('2026-11-12T10:00:00Z').command({ kind: 'directive', directive: { kind: 'panel-date', field: 'received', date: '2026-11-11' } });
    expect(d.state.panelForm?.dates.received).toBe('2026-11-11');
    expect(r.events.map((e) => e.type)).toContain('panel-form-set');
  });

  it('no response at all: the senior manager’s step is held and the ADM and chair are asked for the further form; their line sends it with the form', () => {
    const d = panel();
    const first = mailsOf(d.at(d.due('responsible-manager-reminder')!).advance(), 'chaser');
    expect(first.map((m) => emails(m.to))).toEqual([[addr('responsible-manager')]]);

    const dueSenior = d.due('senior-manager')!;
    const held = d.at(dueSenior).advance();
    expect(mailsOf(held, 'chaser')).toEqual([]);
    expect(d.step('senior-manager')).toMatchObject({ status: 'held', awaitingForm: true });
    const ask = mailsOf(held, 'contact-request');
    expect(ask).toHaveLength(1);
    expect(ask[0]!.data).toEqual({ missingRoles: [], furtherForm: true });
    expect(emails(ask[0]!.to)).toEqual([addr('adm'), addr('panel-chair')].sort());
    // Asked once: the next run does not ask again.
    expect(mailsOf(d.at('2026-11-17T10:00:00Z').advance(), 'contact-request')).toEqual([]);

    // The panel chair (a confirmer outside the organisation, allowed only the confirmers' commands) sends the form.
    const sent = d.take(
      applyCommands(
        d.state,
        {
          from: { email: addr('panel-chair') },
          lines: [{ line: 'Remaining concerns: …', command: remaining('the statutory checks are still outstanding') }],
          errors: [],
          messageKey: 'c-chair',
          allowed: ['resolved', 'not-done', 'escalate'],
        },
        d.at('2026-11-18T10:00:00Z').ctx(),
      ),
    );
    expect(sent.events.map((e) => e.type)).not.toContain('command-rejected');
    expect(d.state.panelForm?.remainingConcerns).toMatchObject({ by: addr('panel-chair'), text: 'the statutory checks are still outstanding' });
    const chaser = mailsOf(sent, 'chaser');
    expect(chaser.map((m) => emails(m.to))).toEqual([[addr('senior-manager')]]);
    expect(d.step('senior-manager')).toMatchObject({ status: 'sent', sentAt: '2026-11-18T10:00:00.000Z' });
    expect(d.step('senior-manager').awaitingForm).toBeUndefined();
  });

  it('a response found wanting: ESCALATE from the ADM holds for the form and says so; then the form sends it', () => {
    const d = panel();
    d.at('2026-11-05T10:00:00Z').reply('responsible-manager', 'resolved');
    expect(d.state.status).toBe('awaiting-confirmation');
    const esc = d.take(
      applyCommands(
        d.state,
        {
          from: { email: addr('adm') },
          lines: [{ line: 'ESCALATE', command: { kind: 'escalate' } }],
          errors: [],
          messageKey: 'c-adm',
          allowed: ['resolved', 'not-done', 'escalate'],
        },
        d.at('2026-11-06T10:00:00Z').ctx(),
      ),
    );
    expect(mailsOf(esc, 'chaser').filter((m) => emails(m.to).includes(addr('senior-manager')))).toEqual([]);
    expect(mailsOf(esc, 'contact-request')[0]?.data.furtherForm).toBe(true);
    expect(d.step('senior-manager').status).toBe('held');

    // ESCALATE again, before the form: refused, saying what is needed.
    const again = d.at('2026-11-06T11:00:00Z').command({ kind: 'escalate' });
    expect(mailsOf(again, 'command-error')[0]?.data.problems[0]).toMatch(/Remaining concerns/);

    const sent = d.at('2026-11-09T10:00:00Z').command(remaining('the learning is not addressed'));
    expect(mailsOf(sent, 'chaser').map((m) => emails(m.to))).toEqual([[addr('senior-manager')]]);
  });

  it('the form recorded beforehand: the senior manager is written to on the timetable’s own date', () => {
    const d = panel();
    d.at('2026-11-03T10:00:00Z').command(remaining('the care plan is not followed'));
    d.at(d.due('responsible-manager-reminder')!).advance();
    const due = d.due('senior-manager')!;
    const sent = d.at(due).advance();
    expect(mailsOf(sent, 'chaser').map((m) => emails(m.to))).toEqual([[addr('senior-manager')]]);
    expect(mailsOf(sent, 'contact-request')).toEqual([]);
  });

  it('an immediate safeguarding concern does not wait: the senior manager at once, the form follows in writing', () => {
    const d = panel('urgent');
    // The senior manager's step goes the moment the case opens.
    const r = d.decisions[0]!;
    expect(d.step('senior-manager').status).toBe('sent');
    expect(mailsOf(r, 'chaser').map((m) => emails(m.to))).toEqual([[addr('senior-manager')]]);
    expect(mailsOf(r, 'contact-request')).toEqual([]);
  });

  it('another ladder keeps no form: the line is refused and nothing recorded', () => {
    const d = new CaseDriver(ladder('practice-disagreement'));
    d.at('2026-11-02T10:00:00Z').open({ participants: people('professional') });
    const r = d.at('2026-11-03T10:00:00Z').command(remaining('x'));
    expect(mailsOf(r, 'command-error')[0]?.data.problems[0]).toMatch(/keeps no such form/);
    expect(d.state.panelForm).toBeUndefined();
  });
});

describe('the timetable says the senior manager’s step waits for the further form (issue 15.4)', () => {
  const WAITS = 'once the ADM or panel chair has recorded the further form (Remaining concerns: …)';
  const seniorRow = (d: CaseDriver) => timetableRows(d.state, d.ctx()).find((r) => r.rung === 'senior-manager')!;

  it('cases show: the date, then what it waits for; once the form is recorded, the date alone', () => {
    const d = panel();
    expect(seniorRow(d).atText).toBe(`Monday 16 November 2026 at 09:00, ${WAITS}`);
    // The reminder before it says nothing of the form.
    expect(timetableRows(d.state, d.ctx()).find((r) => r.rung === 'responsible-manager-reminder')!.atText).toBe('Monday 9 November 2026 at 09:00');
    d.at('2026-11-03T10:00:00Z').command(remaining('the care plan is not followed'));
    expect(seniorRow(d).atText).toBe('Monday 16 November 2026 at 09:00');
  });

  it('held for the form: says so, not “no address”', () => {
    const d = panel();
    d.at(d.due('responsible-manager-reminder')!).advance();
    d.at(d.due('senior-manager')!).advance();
    expect(seniorRow(d).atText).toBe(`on hold: it goes ${WAITS}`);
  });

  it('the immediate-safeguarding variant waits for nothing', () => {
    const d = panel('urgent');
    expect(seniorRow(d).atText).not.toContain('further form');
  });

  it('the confirmation’s timetable says it', () => {
    const d = panel();
    const opened = d.decisions[0]!;
    const intent = opened.mails.find((m) => m.kind === 'confirmation')!;
    const mail = renderMail(store, templateNameFor(intent), buildMailContext(opened.state, intent, d.ctx(), 'escalate@home.example.org'));
    expect(mail.text.replace(/\s+/g, ' ')).toContain(`2. Escalation to a more senior manager — Monday 16 November 2026 at 09:00, ${WAITS}`);
    expect(mail.html.replace(/\s+/g, ' ')).toContain(`Monday 16 November 2026 at 09:00, ${WAITS}`);
  });

  it('simulate’s steps say it on the standard timescales only', () => {
    const def = ladder('fostering-panel');
    const start = new Date('2026-11-02T10:00:00Z');
    expect(simulateLadder(def, 'standard', start, calendar()).steps.map((s) => [s.rung, s.waitsFor])).toEqual([
      ['responsible-manager-reminder', undefined],
      ['senior-manager', WAITS],
    ]);
    expect(simulateLadder(def, 'urgent', start, calendar()).steps.every((s) => s.waitsFor === undefined)).toBe(true);
  });
});
