/**
 * Issue 15.4, FIRO: what the foster carer reads. "Where appropriate the foster carer should be
 * informed … and they should be kept informed of how the resolution is progressing", and "All
 * information is recorded on the foster carer's file and therefore FIROs need to be considerate of
 * language that is used". The dispute is with the supervising social worker and their team manager,
 * so the carer's questions go to the FIRO; each stage is told in plain words (the rung's
 * `carerSays`), not by its title; the footer says nothing meant for staff; and a case the carer was
 * told had ended and that is reopened is said to be looked at again. FIRO opened Monday 23 November
 * 2026 10:00 (England); stage 2 is due Monday 30 November, stage 3 on 7 December, the last on 14th.
 */
import { describe, expect, it } from 'vitest';
import { keptInformedMoment } from '../../../src/domain/case/kept-informed.js';
import type { CaseState } from '../../../src/domain/case/case-state.js';
import type { MailIntent } from '../../../src/domain/case/decision.js';
import { buildMailContext } from '../../../src/outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../../../src/outbound/render/render-mail.js';
import { store } from '../templates/template-helpers.js';
import { CaseDriver, ladder, mailsOf, people } from './case-driver.js';

const FIRO_PEOPLE = ['ssw-team-manager', 'ssw', 'fostering-service-manager', 'head-of-service'];
const CARER = { role: 'foster-carer', email: 'pat.carer@example.net', name: 'Pat Carer', source: 'directive' as const };
const JARGON = /\b(ladder|escalat\w*|RM|LCS|case|rung|command|approval|Ofsted|legal|chaser|stage|timetable|inbox)\b/i;

function firo(opts: { informed?: boolean } = { informed: true }): CaseDriver {
  const d = new CaseDriver(ladder('firo-dispute-resolution'));
  d.at('2026-11-23T10:00:00Z').open({
    participants: [...people(...FIRO_PEOPLE), CARER],
    ...(opts.informed ? { flags: { 'carer-informed': true } } : {}),
  });
  return d;
}

function render(d: CaseDriver, intent: MailIntent) {
  const mail = renderMail(store, templateNameFor(intent), buildMailContext(d.state, intent, d.ctx(), 'escalate@home.example.org'));
  const flat = mail.text.replace(/\s+/g, ' ');
  const html = mail.html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
  return { ...mail, flat, htmlText: html, body: flat.slice(0, flat.indexOf('Kind regards')), footer: flat.slice(flat.indexOf(' -- ')) };
}

/** The carer's note for the stage the driver's last decision took. */
function stageNote(d: CaseDriver) {
  const note = mailsOf(d.last(), 'kept-informed');
  expect(note).toHaveLength(1);
  return render(d, note[0]!);
}

describe('the FIRO stage notes: plain words per stage, questions to the FIRO', () => {
  it('stage 2: what was done, not the stage’s title; the carer is pointed to the FIRO, not the supervising social worker', () => {
    const d = firo();
    d.at('2026-11-30T09:00:00Z').advance();
    const m = stageNote(d);
    expect(m.flat).toContain(
      'It has not yet been resolved, so on Monday 30 November 2026 I asked a more senior manager, the Fostering Service Manager, for a meeting to try to resolve it. A reply has been asked for by the end of',
    );
    expect(m.flat).toContain('If it is still not resolved, I will take it further and let you know.');
    expect(m.flat).not.toContain('Stage 2 — meeting request');
    expect(m.flat).not.toMatch(/supervising social worker/i);
    expect(m.flat).toContain(`please contact me (${d.state.originator.email}) or reply to this email.`);
    expect(m.htmlText).toContain('I asked a more senior manager, the Fostering Service Manager, for a meeting to try to resolve it.');
    expect(m.htmlText).toContain(`please contact me (${d.state.originator.email}) or reply to this email.`);
    expect(m.body.replace('LAC review minutes', '')).not.toMatch(JARGON);
  });

  it('stage 3 and the notice of intention: the Head of Service, “independent advice”; never “legal”, “Ofsted” or a title', () => {
    const d = firo();
    d.at('2026-11-30T09:00:00Z').advance();
    d.at('2026-12-07T09:00:00Z').advance();
    const stage3 = stageNote(d);
    expect(stage3.flat).toContain('I asked the Head of Service, who is responsible for the fostering service, for a meeting to try to resolve it.');
    expect(stage3.flat).not.toContain('Stage 3 — meeting request to the Head of Service');
    expect(stage3.body.replace('LAC review minutes', '')).not.toMatch(JARGON);

    d.at('2026-12-14T09:00:00Z').advance();
    // The notice of intention waits for the FIRO's APPROVE: the carer hears of it when it goes.
    expect(mailsOf(d.last(), 'kept-informed')).toEqual([]);
    d.at('2026-12-14T10:00:00Z').command({ kind: 'approve' });
    const last = stageNote(d);
    expect(last.flat).toContain(
      'so on Monday 14 December 2026 I wrote to the Head of Service to say that, as it has not been resolved within the fostering service, I intend to seek independent advice about it.',
    );
    expect(last.flat).not.toContain('Intention to seek independent legal advice or notify Ofsted');
    // The last step: no "I will take it further".
    expect(last.flat).not.toContain('I will take it further');
    expect(last.body.replace('LAC review minutes', '')).not.toMatch(JARGON);
  });

  it('the foster carer’s own concern keeps its note: the stage, who it went to, and their supervising social worker', () => {
    const d = new CaseDriver(ladder('foster-carer-concern'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people('team-member', 'foster-carer', 'team-member-manager', 'ssw', 'ssw-manager') });
    const r = d.at('2026-12-31T10:00:00Z').advance();
    const note = mailsOf(r, 'kept-informed')[0] ?? d.decisions.flatMap((x) => mailsOf(x, 'kept-informed'))[0];
    expect(note).toBeDefined();
    const m = render(d, note!);
    expect(m.flat).toMatch(/it went to the next stage: Stage \d — [^,]+, to /);
    expect(m.flat).toContain('please speak to your supervising social worker or reply to this email.');
  });
});

describe('the footer of a carer’s note', () => {
  it('says how a reply reaches the writer, nothing about the service’s inbox; staff mail keeps the standard footer', () => {
    const d = firo();
    const opening = render(d, mailsOf(d.decisions[0]!, 'kept-informed-case')[0]!);
    d.at('2026-11-30T09:00:00Z').advance();
    const stage = stageNote(d);
    for (const m of [opening, stage]) {
      expect(m.footer.trimEnd()).toBe(' -- Reference ESC-2026-0001 If you reply, please keep the reference in the subject so that your reply reaches me.');
      expect(m.flat).not.toMatch(/escalation inbox|recorded against this case/);
      expect(m.htmlText).toContain('If you reply, please keep the reference in the subject so that your reply reaches me.');
      expect(m.htmlText).not.toMatch(/escalation inbox|recorded against this case/);
    }
    const staff = render(d, mailsOf(d.decisions[0]!, 'confirmation')[0]!);
    expect(staff.flat).toContain('Sent by the escalation inbox of');
  });
});

describe('reopened after the carer was told it had ended', () => {
  it('the carer is told it is being looked at again, once per end they were told of', () => {
    const d = firo();
    d.at('2026-12-02T11:00:00Z').command({ kind: 'resolved' });
    const reopened = mailsOf(d.at('2026-12-03T10:00:00Z').command({ kind: 'reopen' }), 'kept-informed-case');
    expect(reopened.map((m) => [m.key, m.data, m.to.map((c) => c.email)])).toEqual([['informed-reopen-1', { moment: 'reopened' }, [CARER.email]]]);
    const m = render(d, reopened[0]!);
    expect(m.subject).toBe('The concern is being looked at again: LAC review minutes [ESC-2026-0001]');
    expect(m.flat).toContain(
      'the concern I have been seeking to resolve on your behalf and for the child in your care is being looked at again: LAC review minutes. I will keep you informed of how it is progressing, and let you know when it comes to an end.',
    );
    expect(m.body.replace('LAC review minutes', '')).not.toMatch(JARGON);
    expect(m.htmlText).toContain('is being looked at again: LAC review minutes.');
    // Nothing more while it stays open.
    expect(mailsOf(d.at('2026-12-04T10:00:00Z').advance(), 'kept-informed-case')).toEqual([]);
    // Ended and reopened again: told again.
    d.at('2026-12-08T10:00:00Z').command({ kind: 'close' });
    const again = mailsOf(d.at('2026-12-09T10:00:00Z').command({ kind: 'reopen' }), 'kept-informed-case');
    expect(again.map((x) => x.key)).toEqual(['informed-reopen-2']);
  });

  it('nothing to a carer who never had the end note: not informed, or told "no" before it ended', () => {
    const untold = firo({ informed: false });
    untold.at('2026-12-02T11:00:00Z').command({ kind: 'resolved' });
    expect(mailsOf(untold.at('2026-12-03T10:00:00Z').command({ kind: 'reopen' }), 'kept-informed-case')).toEqual([]);

    const def = ladder('firo-dispute-resolution');
    const open = { flags: { 'carer-informed': true }, status: 'open', keptInformed: { opening: '2026-11-23T10:00:00.000Z' } } as unknown as CaseState;
    expect(keptInformedMoment(open, def)).toBeUndefined();
    const toldEnd = { ...open, keptInformed: { opening: '2026-11-23T10:00:00.000Z', ends: ['2026-12-02T11:00:00.000Z'] } } as CaseState;
    expect(keptInformedMoment(toldEnd, def)).toEqual({ moment: 'reopened' });
    expect(keptInformedMoment({ ...toldEnd, keptInformed: { ...toldEnd.keptInformed, reopens: ['2026-12-03T10:00:00.000Z'] } }, def)).toBeUndefined();
    expect(keptInformedMoment({ ...toldEnd, flags: { 'carer-informed': false } } as CaseState, def)).toBeUndefined();
  });
});
