/**
 * Issue 20.2, dates that never contradict each other, as the mails say them: no chaser restates a
 * deadline a variant or an ESCALATE has overtaken; a deadline is never the day of the next step;
 * every "held until" agrees with the timetable beside it; a moved date is said from what to what,
 * and why. 7 December 2026 is a Monday; Europe/London is on GMT then, so times are also UTC.
 */
import { describe, expect, it } from 'vitest';
import { ladderFor } from '../../../src/domain/case/advance.js';
import type { Decision, MailIntent } from '../../../src/domain/case/decision.js';
import { timetableRows } from '../../../src/domain/case/timetable-view.js';
import { rungOf } from '../../../src/domain/case/timetable.js';
import { buildMailContext } from '../../../src/outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../../../src/outbound/render/render-mail.js';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { CaseDriver, ladder, mailsOf, people } from './case-driver.js';

const store = new TemplateStore();
const REG5 = ['professional', 'team-manager', 'assistant-director', 'iro', 'dcs', 'ofsted-inspector', 'lscp'];

/** The text of a mail the last decision wrote, as its reader gets it. */
function text(d: CaseDriver, intent: MailIntent): string {
  const step = intent.step !== undefined ? d.state.steps.find((s) => s.n === intent.step) : undefined;
  const rungTemplate = intent.kind === 'chaser' && step ? rungOf(ladderFor(d.state, d.ctx()), step).template : undefined;
  const mail = renderMail(store, templateNameFor(intent, rungTemplate), buildMailContext(d.state, intent, d.ctx(), 'inbox@home.example.org'));
  return mail.text.replace(/\s+/g, ' ');
}

function only(d: Decision, kind: MailIntent['kind']): MailIntent {
  const found = mailsOf(d, kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
}

function reg5(at = '2026-12-07T10:00:00Z', flags: { safeguarding?: boolean } = {}): CaseDriver {
  const d = new CaseDriver(ladder('childrens-home-reg5'));
  d.at(at).open({ participants: people(...REG5), flags });
  return d;
}

describe('no chaser restates a deadline that has been overtaken', () => {
  it('a safeguarding case opened on Monday 7 December: the reminder on the 8th does not say "by 21 December" or "within 2 weeks"', () => {
    const d = reg5('2026-12-07T10:00:00Z', { safeguarding: true });
    expect(d.state.variant).toBe('urgent');
    const sent = d.at('2026-12-08T09:00:00Z').advance();
    const chaser = text(d, only(sent, 'chaser'));
    expect(chaser).not.toMatch(/21 December|18 December|within 2 weeks|2 weeks/);
    // It restates only what the confirmation gave on the safeguarding timescales: the end of the opening day.
    expect(chaser).toContain(
      'We wrote to you on Monday 7 December 2026 asking for this to be completed within 1 working day, by the end of Monday 7 December 2026.',
    );
    // Its own deadline is the end of the day, before the team manager is written to on Wednesday.
    expect(chaser).toContain('Please have this completed by the end of Tuesday 8 December 2026.');
    expect(chaser).toContain('write to the team manager on Wednesday 9 December 2026');
  });

  it('switched to SAFEGUARDING the afternoon it was opened: the standard request deadline (Friday 18 December) is never restated', () => {
    const d = reg5();
    expect(d.state.requestDeadlineAt).toBe('2026-12-18T17:00:00.000Z');
    d.at('2026-12-07T14:00:00Z').command({ kind: 'safeguarding' });
    const chaser = text(d, only(d.at('2026-12-08T09:00:00Z').advance(), 'chaser'));
    expect(chaser).not.toMatch(/18 December|within 2 weeks/);
    expect(chaser).not.toContain('asked for by the end of');
  });

  it('ESCALATE on day 3 sends the reminder without claiming the two weeks have run out', () => {
    const d = reg5();
    const esc = d.at('2026-12-09T11:00:00Z').command({ kind: 'escalate' });
    const chaser = text(d, only(esc, 'chaser'));
    expect(chaser).not.toMatch(/18 December|within 2 weeks/);
    expect(chaser).toContain('We wrote to you on Monday 7 December 2026 asking for this to be completed.');
    // On time it does say so: the same reminder on its own date restates the request's deadline.
    const onTime = reg5();
    const due = text(onTime, only(onTime.at('2026-12-21T10:00:00Z').advance(), 'chaser'));
    expect(due).toContain('asking for this to be completed within 2 weeks, by the end of Friday 18 December 2026');
  });

  it('ESCALATE to the Assistant Director on day 3: someone new to the case is not told the request’s two weeks (to Friday 18 December) as if they had run out', () => {
    const d = reg5();
    let last: Decision | undefined;
    for (let i = 0; i < 5 && !mailsOf(last ?? d.last(), 'chaser').some((m) => m.data.about); i++) {
      last = d.at(`2026-12-09T11:0${i}:00Z`).command({ kind: 'escalate' });
    }
    const chaser = text(
      d,
      mailsOf(last!, 'chaser').find((m) => m.data.about)!,
    );
    expect(chaser).toContain('What this is about:');
    expect(chaser).toContain('On Monday 7 December 2026 Case Raiser asked professional@la.example.gov.uk (the professional) for this.');
    expect(chaser).not.toMatch(/18 December|within 2 weeks/);
  });
});

describe('a deadline is never the day of the next step', () => {
  it('the reminder sent on Monday 21 December asks for the end of Thursday 24 December; the team manager goes on Tuesday 29 December', () => {
    // +3w from Mon 7 Dec is Mon 28 Dec, the Boxing Day substitute: the next step goes Tue 29 Dec 09:00.
    const d = reg5();
    const chaser = text(d, only(d.at('2026-12-21T10:00:00Z').advance(), 'chaser'));
    expect(chaser).toContain('Please have this completed by the end of Thursday 24 December 2026.');
    expect(chaser).toContain('write to the team manager on Tuesday 29 December 2026');
    expect(chaser).not.toMatch(/completed by (the end of )?Tuesday 29 December/);
  });

  it('the step notice, the confirmation and the chaser give the same deadline', () => {
    const d = reg5();
    const confirmation = text(d, only(d.decisions[0]!, 'confirmation'));
    expect(confirmation).toContain('reply asked for by the end of Thursday 24 December 2026');
    const sent = d.at('2026-12-21T10:00:00Z').advance();
    expect(text(d, only(sent, 'step-notice'))).toContain('Deadline given: the end of Thursday 24 December 2026');
  });
});

describe('"held until" agrees with the timetable, and moved dates are said from what to what and why', () => {
  it('a promise that holds: the notice’s "held until" is the next step’s date in its own timetable', () => {
    const d = reg5();
    d.at('2026-12-21T10:00:00Z').advance();
    // "By 31 December": held until Mon 4 Jan 09:00 (a working day's grace; New Year's Day is a holiday),
    // before the Assistant Director's rung (Mon 4 Jan 10:00), so within the next two rungs.
    const r = d.at('2026-12-22T11:00:00Z').reply('professional', 'promise', '2026-12-31');
    const notice = text(d, only(r, 'reply-notice'));
    expect(notice).toContain('so the next step is held until Monday 4 January 2027 at 09:00');
    const row = timetableRows(d.state, d.ctx()).find((x) => x.rung === 'team-manager-reminder')!;
    expect(row.atText).toBe('Monday 4 January 2027 at 09:00 (held for a promise)');
    // The notice gives the next step as the timetable has it (the full timetable on TIMETABLE, issue 20.4).
    expect(notice).toContain('Next, if nothing changes: Reminder to the team manager, Monday 4 January 2027 at 09:00 (held for a promise).');
    expect(notice).toContain('Dates that have moved:');
    expect(notice).toContain('Reminder to the team manager: from Tuesday 29 December 2026 at 09:00 to Monday 4 January 2027 at 09:00');
    expect(notice).toContain('Why: professional@la.example.gov.uk promised it by Thursday 31 December 2026.');
  });

  it('a promise that ends before the next step holds nothing, and no "held until" is said or stored', () => {
    const d = reg5();
    d.at('2026-12-21T10:00:00Z').advance();
    const before = d.plan();
    const r = d.at('2026-12-22T11:00:00Z').reply('professional', 'promise', '2026-12-23');
    expect(d.state.hold).toBeUndefined();
    expect(d.plan()).toEqual(before);
    const notice = text(d, only(r, 'reply-notice'));
    expect(notice).not.toContain('held until');
    expect(notice).not.toContain('Dates that have moved');
    expect(notice).toContain(
      'They have promised it by Wednesday 23 December 2026. That does not hold anything up: the next step is still Reminder to the team manager, Tuesday 29 December 2026 at 09:00.',
    );
  });

  it('PAUSE: the acknowledgement lists every date it moved, from and to, and why', () => {
    const d = reg5();
    const ack = text(d, only(d.at('2026-12-09T10:00:00Z').command({ kind: 'pause', until: '2026-12-16' }), 'command-ack'));
    expect(ack).toContain('Dates that have moved:');
    // Six days and 23 hours later is Mon 28 Dec 09:00, the Boxing Day substitute: the next opening.
    expect(ack).toContain('Reminder to the professional: from Monday 21 December 2026 at 10:00 to Tuesday 29 December 2026 at 09:00');
    expect(ack).toContain('Why: the case is paused until Wednesday 16 December 2026 at 09:00.');
    expect(d.last().events.map((e) => e.type)).toContain('timetable-moved');
  });

  it('an approval given days late: the acknowledgement says which dates moved and why', () => {
    const d = reg5();
    for (const day of ['2026-12-21', '2026-12-29', '2027-01-04', '2027-01-18']) d.at(`${day}T10:00:00Z`).advance();
    expect(d.step('dcs').status).toBe('awaiting-approval');
    const ack = text(d, only(d.at('2027-01-21T10:00:00Z').command({ kind: 'approve' }), 'command-ack'));
    expect(ack).toContain('Seek the support of the home’s Ofsted inspector: from Monday 1 February 2027 at 10:00 to Thursday 4 February 2027 at 10:00');
    expect(ack).toContain(
      'Why: “Email to the Director of Children’s Services” was drafted for Monday 18 January 2027 and approved on Thursday 21 January 2027.',
    );
  });

  it('nothing moved, nothing said', () => {
    const d = reg5();
    const ack = text(d, only(d.at('2026-12-09T10:00:00Z').command({ kind: 'note', text: 'spoke to the social worker' }), 'command-ack'));
    expect(ack).not.toContain('Dates that have moved');
  });
});
