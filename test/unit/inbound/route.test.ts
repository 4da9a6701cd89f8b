import { describe, expect, it } from 'vitest';
import { readLadderDir } from '../../../src/config/load-ladders.js';
import { analyseMessage } from '../../../src/domain/inbound/analyse-message.js';
import type { InboundMail } from '../../../src/domain/inbound/inbound-mail.js';
import { chasedRoles, decideRoute, type RouteFacts } from '../../../src/domain/inbound/route.js';
import { ANALYSIS_OPTIONS } from './support.js';

/** Our own MX's verdict on the sender (the harness's trusted authserv-id): DMARC pass unless said otherwise. */
function mail(text: string, from = 'jo.bennett@sunrise-homes.org.uk', dmarc = 'pass'): InboundMail {
  return {
    messageId: '<m@x>',
    inReplyTo: '<chaser@escalations.sunrise-homes.org.uk>',
    references: ['<chaser@escalations.sunrise-homes.org.uk>'],
    from: { address: from },
    replyTo: [],
    to: [{ address: 'escalations@sunrise-homes.org.uk' }],
    cc: [],
    deliveredTo: [],
    subject: 'RE: Disagreement about the plan for AB-1234 [ESC-2026-0007]',
    date: new Date('2026-12-01T10:00:00Z'),
    dateFromHeader: true,
    headers: { 'authentication-results': [`mx.sunrise-homes.org.uk; dmarc=${dmarc} header.from=${from.split('@')[1]}`] },
    text,
    contentType: 'text/plain',
    attachments: [],
    parseProblems: [],
  };
}

function facts(text: string, match: Partial<NonNullable<RouteFacts['match']>>, staff: boolean, dmarc = 'pass'): RouteFacts {
  const m = mail(text, undefined, dmarc);
  return {
    analysis: analyseMessage(m, ANALYSIS_OPTIONS),
    parseProblems: [],
    sender: m.from!.address,
    senderIsStaff: staff,
    match: { by: 'thread', senderIsConfirmer: false, senderIsChased: false, senderAnswers: true, ...match },
  };
}

describe('who a reply is from decides what it is', () => {
  const chasedStaff = { senderRole: 'team-manager', senderIsChased: true, senderAnswers: true };

  it('a colleague the ladder chases has their reply classified, not read as staff chatter', () => {
    const route = decideRoute(facts('Hi Alex,\n\nThis is now done.\n\nJo', chasedStaff, true));
    expect(route).toEqual({ kind: 'recipient-reply', role: 'team-manager' });
  });

  it('a chased colleague cannot CLOSE or SKIP the escalation about themselves: the line is reply text', () => {
    for (const text of ['CLOSE', 'SKIP', 'RESOLVED', 'PAUSE until 4 January 2027', 'ESCALATE\n\nNot needed.']) {
      const f = facts(text, chasedStaff, true);
      expect(f.analysis.commands.lines.length, text).toBeGreaterThan(0);
      expect(decideRoute(f), text).toEqual({ kind: 'recipient-reply', role: 'team-manager' });
    }
  });

  it('the originator and the RM keep their commands even when they also hold a ladder role', () => {
    expect(decideRoute(facts('CLOSE', { senderRole: 'originator' }, true))).toEqual({ kind: 'command' });
    expect(decideRoute(facts('CLOSE', { senderRole: 'rm' }, true))).toEqual({ kind: 'command' });
    expect(decideRoute(facts('Thanks, noted.', { senderRole: 'rm' }, true))).toEqual({ kind: 'staff-message' });
  });

  it('staff who are on the case but not chased (a copied PSW) or not on it at all still command', () => {
    expect(decideRoute(facts('ESCALATE', { senderRole: 'psw', senderIsChased: false, senderAnswers: true }, true))).toEqual({ kind: 'command' });
    expect(decideRoute(facts('ESCALATE', {}, true))).toEqual({ kind: 'command' });
    expect(decideRoute(facts('Spoke to Jo today.', {}, true))).toEqual({ kind: 'staff-message' });
  });

  it('an outside professional is a recipient as before, and a confirmer still confirms', () => {
    expect(decideRoute(facts('CLOSE', { senderRole: 'professional', senderIsChased: true, senderAnswers: true }, false))).toEqual({
      kind: 'recipient-reply',
      role: 'professional',
    });
    expect(decideRoute(facts('RESOLVED', { senderRole: 'panel-chair', senderIsConfirmer: true }, false))).toEqual({
      kind: 'command',
      allowed: ['resolved', 'not-done', 'escalate'],
    });
    // Someone only copied (an IRO) is read and passed to the RM; it changes nothing.
    expect(decideRoute(facts('Thanks', { senderRole: 'iro' }, false))).toMatchObject({ kind: 'reply-notice', role: 'iro' });
  });

  it('a chased colleague quoting the case tag is still on the case; DMARC failure still blocks', () => {
    expect(decideRoute(facts('This is now done.', { ...chasedStaff, by: 'tag' }, true))).toEqual({ kind: 'recipient-reply', role: 'team-manager' });
    expect(decideRoute(facts('This is now done.', chasedStaff, true, 'fail')).kind).toBe('flag');
  });
});

describe('sender verification decides whether a reply or a command acts', () => {
  const chased = { senderRole: 'professional', senderIsChased: true, senderAnswers: true };

  it('an unverified staff command waits for the round trip; SAFEGUARDING alone acts at once', () => {
    expect(decideRoute(facts('CLOSE', { senderRole: 'rm' }, true, 'none'))).toMatchObject({ kind: 'confirm-commands' });
    expect(decideRoute(facts('APPROVE', { senderRole: 'originator' }, true, 'temperror'))).toMatchObject({ kind: 'confirm-commands' });
    expect(decideRoute(facts('SAFEGUARDING', { senderRole: 'rm' }, true, 'none'))).toEqual({ kind: 'command' });
    expect(decideRoute(facts('RESLOVED', { senderRole: 'rm' }, true, 'none'))).toEqual({ kind: 'command' });
  });

  it('an unverified chased reply, or one from someone no rung addressed, is only shown to the RM', () => {
    expect(decideRoute(facts('Minutes attached.', chased, false, 'permerror'))).toMatchObject({ kind: 'reply-notice', role: 'professional' });
    expect(decideRoute(facts('Minutes attached.', { ...chased, senderAnswers: false }, false))).toMatchObject({ kind: 'reply-notice' });
    expect(decideRoute(facts('Minutes attached.', chased, false))).toEqual({ kind: 'recipient-reply', role: 'professional' });
  });

  it('while the request itself waits for its sender to confirm it, no reply changes the case', () => {
    expect(decideRoute(facts('Minutes attached.', { ...chased, caseUnconfirmed: true }, false))).toMatchObject({
      kind: 'reply-notice',
      reason: 'the request has not yet been confirmed by the person who sent it',
    });
  });

  it('a flag says whether its sender is on the case, so the RM is shown a participant’s words and never a stranger’s', () => {
    // The From names the RM (a participant) or a chased manager on the staff: quoted, for the RM to judge.
    expect(decideRoute(facts('CLOSE', { senderRole: 'rm' }, true, 'fail'))).toMatchObject({ kind: 'flag', participant: true });
    expect(decideRoute(facts('This is now done.', { senderRole: 'team-manager', senderIsChased: true }, false, 'fail'))).toMatchObject({
      kind: 'flag',
      participant: true,
    });
    // Someone not on the case: a tag in the subject, or a reply in the thread, proves nothing.
    const stranger = decideRoute(facts('RESOLVED', { by: 'tag' }, false));
    expect(stranger).toMatchObject({ kind: 'flag', reason: 'case reference quoted by someone who is not on the case' });
    expect(stranger).not.toHaveProperty('participant');
    const inThread = decideRoute(facts('RESOLVED', {}, false));
    expect(inThread).toMatchObject({ kind: 'flag', reason: 'reply from an address that is not on the case' });
    expect(inThread).not.toHaveProperty('participant');
    expect(decideRoute(facts('RESOLVED', {}, false, 'fail'))).not.toHaveProperty('participant');
  });

  it('a DMARC failure is flagged, never confirmed by round trip; CONFIRM <code> is its own route', () => {
    expect(decideRoute(facts('CLOSE', { senderRole: 'rm' }, true, 'fail')).kind).toBe('flag');
    expect(decideRoute(facts('CONFIRM ABCDEFGHJKMNPQRSTVWX', { senderRole: 'rm' }, true, 'none'))).toEqual({ kind: 'confirm-token' });
  });
});

describe('chasedRoles: the roles a ladder asks to act', () => {
  const ladders = readLadderDir('config/ladders').ladders;
  const of = (id: string) => [...chasedRoles(ladders.get(id)!)].sort();

  it('is the professional and every rung’s To, in every variant; never the originator, the RM or a role only copied', () => {
    expect(of('practice-disagreement')).toEqual(['deputy-director', 'director', 'head-of-service', 'service-manager', 'team-manager']);
    expect(of('practice-disagreement')).not.toContain('psw');
    expect(of('childrens-home-reg5')).toEqual(['assistant-director', 'dcs', 'lscp', 'ofsted-inspector', 'professional', 'team-manager']);
    expect(of('firo-dispute-resolution')).not.toContain('ssw');
    expect(of('fostering-panel')).not.toContain('panel-chair');
    for (const id of ladders.keys()) {
      expect(of(id)).not.toContain('originator');
      expect(of(id)).not.toContain('rm');
    }
  });
});

describe('staff writing about several cases (a reply to the digest)', () => {
  const outside = (text: string, extra: Partial<RouteFacts>, staff = true, dmarc = 'pass'): RouteFacts => {
    const m = mail(text, undefined, dmarc);
    return { analysis: analyseMessage(m, ANALYSIS_OPTIONS), parseProblems: [], sender: m.from!.address, senderIsStaff: staff, ...extra };
  };

  it('a reply to the digest, or lines naming cases, go case by case; without either, an untagged message is ignored', () => {
    expect(decideRoute(outside('ESC-2026-0012 RESOLVED', { repliesToOrgMail: true }))).toEqual({ kind: 'case-commands' });
    expect(decideRoute(outside('Thanks', { repliesToOrgMail: true }))).toEqual({ kind: 'case-commands' });
    expect(decideRoute(outside('ESC-2026-0012 RESOLVED', { namesCases: true }))).toEqual({ kind: 'case-commands' });
    expect(decideRoute(outside('ESC-2026-0012 RESOLVED', {}))).toMatchObject({ kind: 'ignore' });
  });

  it('only staff, and never a sender who failed verification', () => {
    expect(decideRoute(outside('ESC-2026-0012 RESOLVED', { repliesToOrgMail: true }, false))).toMatchObject({ kind: 'ignore' });
    expect(decideRoute(outside('ESC-2026-0012 RESOLVED', { repliesToOrgMail: true }, true, 'fail'))).toMatchObject({ kind: 'quarantine' });
  });
});
