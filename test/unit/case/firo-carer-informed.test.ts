/**
 * Issue 15.4, FIRO: "Where appropriate the foster carer should be informed that they are seeking
 * resolution to a problem on their behalf and for the child in their care and they should be kept
 * informed of how the resolution is progressing." The carer is told only where the case says so
 * (`Foster carer informed: yes`): at the opening (stage 1), at each stage, and when it ends. FIRO
 * opened Monday 23 November 2026 10:00, England and Wales (GMT); stage 2 is due Monday 30 November.
 */
import { describe, expect, it } from 'vitest';
import { keepsInformed, keptInformedMoment } from '../../../src/domain/case/kept-informed.js';
import type { CaseState } from '../../../src/domain/case/case-state.js';
import { parseDirectives } from '../../../src/domain/inbound/directives.js';
import { buildMailContext } from '../../../src/outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../../../src/outbound/render/render-mail.js';
import type { MailIntent } from '../../../src/domain/case/decision.js';
import { store } from '../templates/template-helpers.js';
import { CaseDriver, emails, ladder, mailsOf, people } from './case-driver.js';

const FIRO_PEOPLE = ['ssw-team-manager', 'ssw', 'fostering-service-manager', 'head-of-service'];
const CARER = { role: 'foster-carer', email: 'pat.carer@example.net', name: 'Pat Carer', source: 'directive' as const };
const informedFlag = { directive: { kind: 'flag' as const, flag: 'carer-informed' as const, value: true } };
const carerInformed = (value: boolean) => ({ kind: 'directive' as const, directive: { kind: 'flag' as const, flag: 'carer-informed' as const, value } });

function firo(opts: { informed?: boolean; carer?: boolean } = {}): CaseDriver {
  const d = new CaseDriver(ladder('firo-dispute-resolution'));
  d.at('2026-11-23T10:00:00Z').open({
    participants: [...people(...FIRO_PEOPLE), ...(opts.carer === false ? [] : [CARER])],
    ...(opts.informed ? { flags: { 'carer-informed': true } } : {}),
  });
  return d;
}

const carerMails = (d: CaseDriver) => d.decisions.flatMap((x) => x.mails).filter((m) => m.to.some((c) => c.email === CARER.email));

function render(d: CaseDriver, intent: MailIntent) {
  const mail = renderMail(store, templateNameFor(intent), buildMailContext(d.state, intent, d.ctx(), 'escalate@home.example.org'));
  const flat = mail.text.replace(/\s+/g, ' ');
  // What the FIRO writes, before the signature and the footer every mail of the service carries.
  return { ...mail, flat, body: flat.slice(0, flat.indexOf('Kind regards')) };
}

describe('the case says whether the carer is told', () => {
  it('reads "Foster carer informed: yes / no", never as the carer’s address', () => {
    const parse = (text: string) =>
      parseDirectives(text, {
        roles: ['foster-carer', 'ssw'],
        ladderIds: ['firo-dispute-resolution'],
        reference: new Date('2026-11-23T10:00:00Z'),
        timezone: 'Europe/London',
      });
    expect(parse('Foster carer informed: yes').items.map((i) => i.directive)).toEqual([informedFlag.directive]);
    expect(parse('Keep foster carer informed: No').items.map((i) => i.directive)).toEqual([{ ...informedFlag.directive, value: false }]);
    expect(parse('Foster carer: Pat Carer <pat.carer@example.net>').items.map((i) => i.directive)).toEqual([
      { kind: 'contact', role: 'foster-carer', contact: { name: 'Pat Carer', email: 'pat.carer@example.net' } },
    ]);
    expect(parse('Foster carer informed: perhaps').problems[0]).toMatch(/answer yes or no/);
  });

  it('by default nobody: FIRO’s “where appropriate” is the FIRO’s to judge; the foster carer’s own ladder always tells them', () => {
    const firoDef = ladder('firo-dispute-resolution');
    expect(firoDef.keepInformedWhen).toBe('carer-informed');
    expect(keepsInformed({ flags: { 'carer-informed': false } } as CaseState, firoDef)).toBe(false);
    expect(keepsInformed({ flags: { 'carer-informed': true } } as CaseState, firoDef)).toBe(true);
    expect(keepsInformed({ flags: {} } as CaseState, ladder('foster-carer-concern'))).toBe(true);
    expect(keepsInformed({ flags: { 'carer-informed': true } } as CaseState, ladder('childrens-home-reg5'))).toBe(false);
  });

  it('the opening note once, the end note once per end, none before the sender confirmed the case', () => {
    const def = ladder('firo-dispute-resolution');
    const base = { flags: { 'carer-informed': true }, status: 'open' } as unknown as CaseState;
    expect(keptInformedMoment(base, def)).toEqual({ moment: 'opening' });
    expect(keptInformedMoment({ ...base, senderConfirmation: { since: 'x', until: 'y' } }, def)).toBeUndefined();
    const told = { ...base, keptInformed: { opening: '2026-11-23T10:00:00.000Z' } };
    expect(keptInformedMoment(told, def)).toBeUndefined();
    const resolved = { ...told, status: 'resolved', resolvedAt: '2026-12-01T10:00:00.000Z' } as CaseState;
    expect(keptInformedMoment(resolved, def)).toEqual({ moment: 'end', outcome: 'resolved', endedAt: '2026-12-01T10:00:00.000Z' });
    expect(keptInformedMoment({ ...resolved, keptInformed: { ...told.keptInformed, ends: ['2026-12-01T10:00:00.000Z'] } }, def)).toBeUndefined();
    // Never told it began: not told it ended.
    expect(keptInformedMoment({ ...resolved, keptInformed: undefined }, def)).toBeUndefined();
    const closed = { ...told, status: 'closed', closedAt: '2026-12-02T10:00:00.000Z' } as CaseState;
    expect(keptInformedMoment(closed, def)).toMatchObject({ moment: 'end', outcome: 'closed' });
    expect(keptInformedMoment({ ...closed, flags: { 'carer-informed': false } } as CaseState, def)).toBeUndefined();
  });
});

describe('a FIRO case that says the carer is kept informed', () => {
  it('tells the carer at stage 1, at stage 2, and when it is resolved; a reopened case that closes says so once more', () => {
    const d = firo({ informed: true });
    const opening = mailsOf(d.decisions[0]!, 'kept-informed-case');
    expect(opening).toHaveLength(1);
    expect(opening[0]).toMatchObject({ key: 'informed-opening', timing: 'window', data: { moment: 'opening' } });
    expect(emails(opening[0]!.to)).toEqual([CARER.email]);
    expect(opening[0]!.cc).toEqual([]);

    const stage2 = d.at('2026-11-30T09:00:00Z').advance();
    expect(emails(mailsOf(stage2, 'kept-informed')[0]!.to)).toEqual([CARER.email]);
    expect(mailsOf(stage2, 'kept-informed-case')).toEqual([]);

    const resolved = d.at('2026-12-02T11:00:00Z').command({ kind: 'resolved' });
    expect(mailsOf(resolved, 'kept-informed-case').map((m) => [m.key, m.data])).toEqual([['informed-end-1', { moment: 'end', outcome: 'resolved' }]]);
    // Nothing more while it stays resolved.
    expect(mailsOf(d.at('2026-12-14T09:00:00Z').advance(), 'kept-informed-case')).toEqual([]);

    d.at('2026-12-15T10:00:00Z').command({ kind: 'reopen' });
    const closed = d.at('2026-12-16T10:00:00Z').command({ kind: 'close' });
    expect(mailsOf(closed, 'kept-informed-case').map((m) => [m.key, m.data])).toEqual([['informed-end-2', { moment: 'end', outcome: 'closed' }]]);
    expect(carerMails(d).map((m) => [m.kind, m.key])).toEqual([
      ['kept-informed-case', 'informed-opening'],
      ['kept-informed', 's1-informed'],
      ['kept-informed-case', 'informed-end-1'],
      ['kept-informed-case', 'informed-reopen-1'],
      ['kept-informed-case', 'informed-end-2'],
    ]);
  });

  it('resolved by the confirmers’ silence over a reply that came with a document: the carer is told too', () => {
    const d = firo({ informed: true });
    d.at('2026-11-30T09:00:00Z').advance();
    d.at('2026-12-01T10:00:00Z').replyWithFiles('fostering-service-manager', 'resolved', [
      { filename: 'plan.pdf', contentType: 'application/pdf', size: 2000 },
    ]);
    expect(d.state.status).toBe('awaiting-confirmation');
    expect(mailsOf(d.last(), 'kept-informed-case')).toEqual([]);
    const r = d.at('2026-12-21T10:00:00Z').advance();
    expect(d.state.status).toBe('resolved');
    expect(mailsOf(r, 'kept-informed-case').map((m) => m.data)).toEqual([{ moment: 'end', outcome: 'resolved' }]);
  });
});

describe('a FIRO case that does not say so', () => {
  it('the carer, though their address is known, gets nothing at the opening, at a stage or at the end', () => {
    const d = firo();
    d.at('2026-11-30T09:00:00Z').advance();
    d.at('2026-12-02T11:00:00Z').command({ kind: 'close' });
    expect(carerMails(d)).toEqual([]);
  });

  it('said later: the opening note goes then, and the stages after it; "no" stops them', () => {
    const d = firo();
    const yes = d.at('2026-11-25T10:00:00Z').command(carerInformed(true));
    expect(mailsOf(yes, 'kept-informed-case').map((m) => m.data.moment)).toEqual(['opening']);
    expect(mailsOf(yes, 'command-ack')[0]!.data.done[0]).toMatch(/^Foster carer informed: yes\. The foster carer is told/);
    expect(emails(mailsOf(d.at('2026-11-30T09:00:00Z').advance(), 'kept-informed')[0]!.to)).toEqual([CARER.email]);
    const no = d.at('2026-12-01T10:00:00Z').command(carerInformed(false));
    expect(mailsOf(no, 'command-ack')[0]!.data.done[0]).toBe('Foster carer informed: no. The foster carer is not written to about this case.');
    expect(mailsOf(d.at('2026-12-07T09:00:00Z').advance(), 'kept-informed')).toEqual([]);
    expect(mailsOf(d.at('2026-12-08T10:00:00Z').command({ kind: 'close' }), 'kept-informed-case')).toEqual([]);
  });

  it('yes without the carer’s address: the RM is asked for it, and the carer is told once it is given', () => {
    const d = firo({ carer: false });
    const yes = d.at('2026-11-24T10:00:00Z').command(carerInformed(true));
    expect(mailsOf(yes, 'kept-informed-case')).toEqual([]);
    expect(mailsOf(yes, 'command-ack')[0]!.data.done[0]).toBe(
      'Foster carer informed: yes. There is no address for the foster carer yet: reply with a line such as "Foster carer: Name <address>" and they are told then.',
    );
    const given = d
      .at('2026-11-24T11:00:00Z')
      .command({ kind: 'directive', directive: { kind: 'contact', role: 'foster-carer', contact: { email: CARER.email } } });
    expect(mailsOf(given, 'kept-informed-case').map((m) => emails(m.to))).toEqual([[CARER.email]]);
  });

  it('the line is refused on a ladder that always tells the carer, or tells nobody', () => {
    const concern = new CaseDriver(ladder('foster-carer-concern'));
    concern.at('2026-11-23T10:00:00Z').open({ participants: people('team-member', 'foster-carer') });
    expect(mailsOf(concern.at('2026-11-24T10:00:00Z').command(carerInformed(false)), 'command-error')[0]!.data.problems[0]).toMatch(
      /the foster carer is always kept informed, so nothing was changed/,
    );
    // Nor does the foster carer's own ladder gain opening or end notes.
    expect(concern.decisions.flatMap((x) => mailsOf(x, 'kept-informed-case'))).toEqual([]);
    const reg5 = new CaseDriver(ladder('childrens-home-reg5'));
    reg5.at('2026-11-23T10:00:00Z').open({ participants: people('professional') });
    expect(mailsOf(reg5.at('2026-11-24T10:00:00Z').command(carerInformed(true)), 'command-error')[0]!.data.problems[0]).toMatch(/keeps nobody informed/);
  });
});

describe('what the carer reads', () => {
  const JARGON = /\b(ladder|escalat\w*|RM|LCS|case|rung|command|approval|Ofsted|legal|chaser|stage|timetable)\b/i;

  it('stage 1: plain words, from the FIRO, the child’s reference and the subject, nothing internal', () => {
    const d = firo({ informed: true });
    const m = render(d, mailsOf(d.decisions[0]!, 'kept-informed-case')[0]!);
    expect(m.subject).toBe('Seeking to resolve a concern on your behalf: LAC review minutes [ESC-2026-0001]');
    expect(m.flat).toContain('Dear Pat Carer,');
    expect(m.flat).toContain(
      'I am writing to let you know that I am seeking to resolve a concern on your behalf and for the child in your care: LAC review minutes.',
    );
    expect(m.flat).toContain('I will keep you informed of how it is progressing, and let you know when it comes to an end.');
    expect(m.flat).toContain('If you have any questions, please reply to this email.');
    expect(m.body.replace('LAC review minutes', '')).not.toMatch(JARGON);
    expect(m.html).toContain('I am seeking to resolve a concern on your behalf and for the child in your care');
  });

  it('the end: “it has been resolved” or “it has come to an end”, never how or by whom', () => {
    const d = firo({ informed: true });
    const resolved = render(d, mailsOf(d.at('2026-12-02T11:00:00Z').command({ kind: 'resolved' }), 'kept-informed-case')[0]!);
    expect(resolved.subject).toBe('The concern has been resolved: LAC review minutes [ESC-2026-0001]');
    expect(resolved.flat).toContain(
      'the concern I was seeking to resolve on your behalf and for the child in your care has now been resolved: LAC review minutes.',
    );
    expect(resolved.body.replace('LAC review minutes', '')).not.toMatch(JARGON);

    d.at('2026-12-03T10:00:00Z').command({ kind: 'reopen' });
    const closed = render(d, mailsOf(d.at('2026-12-03T11:00:00Z').command({ kind: 'close' }), 'kept-informed-case')[0]!);
    expect(closed.subject).toBe('Last update on the concern: LAC review minutes [ESC-2026-0001]');
    expect(closed.flat).toContain('has now come to an end: LAC review minutes. This is my last update about it.');
    expect(closed.body).not.toMatch(/closed|withdrawn|resolved/i);
    expect(closed.body.replace('LAC review minutes', '')).not.toMatch(JARGON);
  });

  it('a carer with no name on the case is greeted plainly, not as a colleague', () => {
    const d = firo({ carer: false, informed: true });
    const r = d
      .at('2026-11-24T11:00:00Z')
      .command({ kind: 'directive', directive: { kind: 'contact', role: 'foster-carer', contact: { email: CARER.email } } });
    expect(render(d, mailsOf(r, 'kept-informed-case')[0]!).flat).toMatch(/^Hello, /);
  });

  it('the confirmation says whether the carer is told, and asks for no carer’s address when not', () => {
    const no = firo({ carer: false });
    const noText = render(no, mailsOf(no.decisions[0]!, 'confirmation')[0]!).flat;
    expect(noText).toContain('Foster carer informed: no (reply "Foster carer informed: yes" where it is appropriate)');
    expect(noText).not.toMatch(/Not known yet:[^.]*foster carer/);
    const yes = firo({ carer: false, informed: true });
    const yesText = render(yes, mailsOf(yes.decisions[0]!, 'confirmation')[0]!).flat;
    expect(yesText).toContain('Foster carer informed: yes (a short note now, at each stage and when it ends)');
    expect(yesText).toMatch(/Not known yet:[^.]*foster carer/);
    const reg5 = new CaseDriver(ladder('childrens-home-reg5'));
    reg5.at('2026-11-23T10:00:00Z').open({ participants: people('professional') });
    expect(render(reg5, mailsOf(reg5.decisions[0]!, 'confirmation')[0]!).flat).not.toContain('Foster carer informed');
  });
});
