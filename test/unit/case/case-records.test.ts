/**
 * The typed records: every event and mail the domain produces over whole case lives matches the
 * schemas in case-events.ts and mail-intents.ts, the lives between them produce every kind (so a
 * kind added without a life that produces it fails here), and malformed or unknown stored rows
 * read as unreadable rather than throw.
 */
import { describe, expect, it } from 'vitest';
import { recordAutomatic, recordDeliveryFailure, recordFlagged } from '../../../src/domain/case/apply-reply.js';
import { CASE_EVENT_TYPES, caseEventSchema, readCaseEvent, type CaseEventType, type EventDraft } from '../../../src/domain/case/case-events.js';
import type { Decision } from '../../../src/domain/case/decision.js';
import { MAIL_KINDS, mailIntentSchema, type MailIntent } from '../../../src/domain/case/mail-intents.js';
import { openCase } from '../../../src/domain/case/open-case.js';
import { applyCommands } from '../../../src/domain/case/apply-commands.js';
import { recordReplyNotice } from '../../../src/domain/case/apply-reply.js';
import { confirmOpening, requestSenderConfirmation } from '../../../src/domain/case/sender-confirmation.js';
import type { CommandLine } from '../../../src/domain/commands/command.js';
import { CaseDriver, ORIGINATOR, RM, addr, ladder, people } from './case-driver.js';

/** Moves the clock to the case's next action and runs it. */
function next(d: CaseDriver): Decision {
  const at = d.state.nextActionAt;
  if (!at) throw new Error('nothing is due');
  return d.at(at).advance();
}

/** Reg 5 from opening to closing, through every command, a promise, a bounce, approvals and a held step. */
function reg5Life(): Decision[] {
  const d = new CaseDriver(ladder('childrens-home-reg5'));
  // No DCS address yet: the DCS rung will be held for one.
  d.at('2026-11-02T10:00:00Z').open({ participants: people('professional', 'team-manager', 'assistant-director', 'iro', 'ofsted-inspector') });
  d.at('2026-11-02T11:00:00Z').commands([
    { kind: 'directive', directive: { kind: 'category', value: 'PRACTICE: care plan' } },
    { kind: 'directive', directive: { kind: 'child', ref: 'AB-1234' } },
    // After the policy's last rung: recorded, not drawing the steps in (reg5-policy-gaps.test.ts).
    { kind: 'directive', directive: { kind: 'due', date: '2027-03-01' } },
    { kind: 'directive', directive: { kind: 'flag', flag: 'psw', value: true } },
    { kind: 'note', text: 'Spoke to the team manager.' },
    { kind: 'views', text: 'Wants to know when.' },
  ]);
  d.at('2026-11-03T10:00:00Z').command({ kind: 'resume' }); // not paused: rejected
  d.at('2026-11-03T10:00:00Z').command({ kind: 'pause', until: '2026-11-05' });
  d.at('2026-11-04T10:00:00Z').command({ kind: 'resume' });
  d.at('2026-11-04T11:00:00Z').command({ kind: 'pause', until: '2026-11-06' });
  next(d); // the pause ends by itself
  d.at('2026-11-09T10:00:00Z').command({ kind: 'extend', by: { unit: 'd', n: 2 } });
  next(d); // professional reminder
  // Promised by Mon 30 Nov: the team manager's reminder (due that morning) waits until Tue 1 Dec 09:00.
  d.at('2026-11-19T10:00:00Z').reply('professional', 'promise', '2026-11-30');
  next(d); // the promise lapses (and the team manager's reminder goes)
  d.at('2026-12-01T10:00:00Z').reply('team-manager', 'other');
  d.at('2026-12-01T10:30:00Z').reply('team-manager', 'promise', '2027-02-15'); // beyond the horizon: holds nothing
  d.at('2026-12-01T10:45:00Z').reply('team-manager', 'promise', '2027-06-30'); // after the Due date: holds nothing
  d.at('2026-12-01T11:00:00Z').bounce(addr('iro'));
  d.at('2026-12-01T12:00:00Z').command({ kind: 'escalate' }); // assistant director
  next(d); // DCS: held, no address
  d.at('2026-12-23T10:00:00Z').command({ kind: 'directive', directive: { kind: 'contact', role: 'dcs', contact: { email: addr('dcs') } } });
  next(d); // the released DCS draft goes to the RM for approval
  next(d); // a reminder to approve it
  d.command({ kind: 'approve' });
  next(d); // Ofsted inspector: approval
  d.command({ kind: 'skip' });
  next(d); // LSCP: not a child protection case, set aside
  d.at('2027-02-01T10:00:00Z').command({ kind: 'imminent' }); // no imminent-risk timescales here: a flag
  d.at('2027-02-01T11:00:00Z').command({ kind: 'safeguarding' });
  const extra = [
    recordAutomatic(d.state, { from: addr('dcs'), kind: 'auto-reply', returnDate: '2027-02-08', messageKey: 'a1' }, d.ctx()),
    recordAutomatic(d.state, { from: 'news@example.org', kind: 'bulk', messageKey: 'a2' }, d.ctx()),
    recordFlagged(d.state, { from: 'stranger@example.org', reason: 'reply from an address that is not on the case', messageKey: 'f1', notify: true }, d.ctx()),
    recordDeliveryFailure(d.state, { kind: 'chaser', step: 4, to: [addr('dcs')], reason: '550 5.1.1 no such user', messageKey: 'o1', notify: true }, d.ctx()),
  ];
  d.at('2027-02-02T10:00:00Z').command({ kind: 'resolved' });
  d.at('2027-02-02T11:00:00Z').command({ kind: 'reopen' });
  d.at('2027-02-02T12:00:00Z').command({ kind: 'close' });
  d.at('2027-02-03T10:00:00Z').reply('dcs', 'acknowledged');
  return [...d.decisions, ...extra];
}

/** FIRO, the foster carer kept informed: a meeting date holds the ladder, the meeting passes, and a "done" reply resolves it. */
function firoLife(): Decision[] {
  const d = new CaseDriver(ladder('firo-dispute-resolution'));
  d.at('2026-11-23T10:00:00Z').open({
    participants: people('ssw-team-manager', 'ssw', 'fostering-service-manager', 'head-of-service', 'foster-carer'),
    flags: { 'carer-informed': true },
  });
  next(d); // stage 2 meeting request
  d.at('2026-12-01T10:00:00Z').replyAs('fostering-service-manager', {
    class: 'acknowledged',
    meetingDate: '2026-12-08',
    meetingEvidence: 'the meeting on 8 December',
  });
  next(d); // the meeting has passed
  d.at('2026-12-16T10:00:00Z').replyAs('head-of-service', { class: 'resolved', evidence: 'it has been agreed' });
  return d.decisions;
}

/**
 * The fostering panel: a "done" reply goes to the confirmers, and the ADM's ESCALATE skips the rung
 * already answered; the senior manager's step waits for the further form (step 6), which sends it.
 */
function panelLife(): Decision[] {
  const d = new CaseDriver(ladder('fostering-panel'));
  d.at('2026-11-23T10:00:00Z').open({ participants: people('responsible-manager', 'panel-adviser', 'senior-manager', 'adm', 'panel-chair') });
  d.at('2026-11-23T11:00:00Z').command({ kind: 'directive', directive: { kind: 'panel-date', field: 'panel-date', date: '2026-11-19' } });
  d.at('2026-11-24T10:00:00Z').replyAs('responsible-manager', { class: 'resolved', evidence: 'this has been done' });
  d.at('2026-11-25T10:00:00Z').command({ kind: 'escalate' }, { email: addr('adm') });
  d.at('2026-11-25T11:00:00Z').command(
    { kind: 'directive', directive: { kind: 'remaining-concerns', text: 'the checks are not complete' } },
    { email: addr('adm') },
  );
  return d.decisions;
}

/**
 * Awaiting confirmation: a "done" reply with a PDF (reminded, then resolved by silence), a
 * secure-mail notice nobody answers (the ladder goes on), NOT DONE, and a ladder with
 * `resolution: auto` (resolved by the reply itself).
 */
function confirmationLife(): Decision[] {
  const pdf = [{ filename: 'minutes.pdf', contentType: 'application/pdf', size: 120_000 }];
  const silent = new CaseDriver(ladder('childrens-home-reg5'));
  silent.at('2026-11-23T10:00:00Z').open({ participants: people('professional', 'team-manager') });
  silent.at('2026-11-24T10:00:00Z').replyWithFiles('professional', 'resolved', pdf);
  next(silent); // the reminder
  next(silent); // resolved by silence
  const secure = new CaseDriver(ladder('childrens-home-reg5'));
  secure.at('2026-11-23T10:00:00Z').open({ participants: people('professional', 'team-manager') });
  secure.at('2026-11-24T10:00:00Z').replyAs('professional', { class: 'secure-message', secureService: 'Egress' });
  next(secure);
  next(secure); // nobody answered: the ladder goes on
  const notDone = new CaseDriver(ladder('childrens-home-reg5'));
  notDone.at('2026-11-23T10:00:00Z').open({ participants: people('professional', 'team-manager') });
  notDone.at('2026-11-24T10:00:00Z').reply('professional', 'resolved');
  notDone.at('2026-11-25T10:00:00Z').command({ kind: 'not-done' });
  const auto = new CaseDriver({ ...ladder('childrens-home-reg5'), resolution: 'auto' });
  auto.at('2026-11-23T10:00:00Z').open({ participants: people('professional', 'team-manager') });
  auto.at('2026-11-24T10:00:00Z').reply('professional', 'resolved');
  return [...silent.decisions, ...secure.decisions, ...notDone.decisions, ...auto.decisions];
}

/** Unverified senders (README, Trust): an opening and commands wait for CONFIRM; a copied party's reply only informs the RM. */
function trustLife(): Decision[] {
  const unconfirmed = new CaseDriver(ladder('childrens-home-reg5'));
  unconfirmed.at('2026-11-23T10:00:00Z').open({
    participants: people('professional', 'team-manager'),
    senderConfirmation: { token: 'abcdefghjkmnpqrstvwx', until: new Date('2026-11-25T10:00:00Z'), reason: 'no trust source' },
  });
  next(unconfirmed); // two working days later, still unconfirmed: the case closes

  const d = new CaseDriver(ladder('childrens-home-reg5'));
  d.at('2026-11-23T10:00:00Z').open({
    participants: people('professional', 'team-manager', 'iro'),
    senderConfirmation: { token: 'abcdefghjkmnpqrstvwx', until: new Date('2026-11-25T10:00:00Z'), reason: 'no trust source' },
  });
  d.at('2026-11-24T10:00:00Z').take(confirmOpening(d.state, { from: ORIGINATOR, messageKey: 'c1' }, d.ctx()));
  const close: CommandLine[] = [{ line: 'CLOSE', command: { kind: 'close' } }];
  d.take(
    requestSenderConfirmation(
      d.state,
      { from: RM, lines: close, token: 'bcdefghjkmnpqrstvwxy', until: new Date('2026-11-26T10:00:00Z'), reason: 'no trust source', messageKey: 'c2' },
      d.ctx(),
    ),
  );
  d.take(
    recordReplyNotice(
      d.state,
      {
        from: { email: addr('iro') },
        role: 'iro',
        classification: { class: 'resolved' },
        newText: 'Done.',
        reason: 'they are copied on the case, not asked to act',
        messageKey: 'c3',
      },
      d.ctx(),
    ),
  );
  d.at('2026-11-25T10:00:00Z').take(applyCommands(d.state, { from: RM, lines: close, errors: [], messageKey: 'c4', confirmedBy: 'round-trip' }, d.ctx()));
  return [...unconfirmed.decisions, ...d.decisions];
}

/** A request dated weeks before it arrived: the timetable shifts so that only the first overdue rung goes. */
function lateRequest(): Decision[] {
  const d = new CaseDriver(ladder('childrens-home-reg5'));
  d.at('2026-12-01T10:00:00Z');
  return [
    openCase(
      {
        id: 'case-2',
        ref: 'ESC-2026-0002',
        token: 'tok2',
        orgId: 'org-1',
        ladderId: 'childrens-home-reg5',
        variant: 'standard',
        openedAt: new Date('2026-11-02T10:00:00Z'),
        subject: 'Late request',
        requestMessageId: '<late@home.example.org>',
        threadIds: ['<late@home.example.org>'],
        originator: ORIGINATOR,
        participants: people('professional', 'team-manager'),
        flags: {},
        warnings: ['Unknown directive: Colour'],
        messageRef: 'msg-late',
      },
      d.ctx(),
    ),
  ];
}

/** An imminent-risk practice disagreement raised at night: the Emergency Duty Team is written to at once (issue 15.3). */
function outOfHoursLife(): Decision[] {
  const directory = { authorities: [], organisations: { 'org-1': { 'emergency-duty-team': { email: 'edt@la.example.gov.uk' } } } };
  const d = new CaseDriver(ladder('practice-disagreement'), undefined, directory, ['home.example.org', 'la.example.gov.uk']);
  return [d.at('2026-12-24T17:30:00Z').open({ participants: people('team-manager', 'deputy-director', 'psw'), variant: 'imminent' })];
}

/**
 * Events the workflows write around the domain's decisions (ingest, the outbox writer, the send
 * job, retention), as they write them: the compiler holds those call sites to the same types.
 */
const WORKFLOW_EVENTS: EventDraft[] = [
  { type: 'staff-message', actor: RM.email, at: '2026-12-01T10:00:00.000Z', detail: { message: 'k1' } },
  {
    type: 'mail-held-back',
    actor: 'system',
    at: '2026-12-01T10:00:00.000Z',
    detail: { kind: 'chaser', key: 's1-chaser', recipients: [addr('dcs')], action: 'deferred', until: '2026-12-01T11:00:00.000Z', reason: 'loop protection' },
  },
  {
    type: 'mail-recipients-deferred',
    actor: 'system',
    at: '2026-12-01T10:00:00.000Z',
    detail: {
      outbox: 'o-1',
      kind: 'chaser',
      resend: 'o-2',
      recipients: [{ address: addr('dcs'), code: 452, response: '452 mailbox full' }],
      retryAt: '2026-12-01T10:05:00.000Z',
    },
  },
  {
    type: 'mail-failed',
    actor: 'system',
    at: '2026-12-01T10:00:00.000Z',
    detail: { outbox: 'o-1', kind: 'chaser-bundle', reason: 'recipients refused', recipients: [{ address: addr('dcs'), code: 550 }] },
  },
  {
    type: 'mail-held-back',
    actor: 'system',
    at: '2026-12-01T10:00:00.000Z',
    detail: { kind: 'command-ack', key: 'mk1-ack', recipients: [RM.email], action: 'dropped', sender: RM.email, reason: 'loop protection' },
  },
  {
    type: 'mail-folded',
    actor: 'system',
    at: '2026-12-01T10:00:00.000Z',
    detail: { kind: 'reply-notice', key: 'mk2-reply-notice', sender: addr('professional'), into: 'c1:fold-mk2-reply-notice', reason: 'folded' },
  },
  {
    type: 'message-not-read',
    actor: addr('professional'),
    at: '2026-12-01T10:00:00.000Z',
    detail: { message: 'k3', size: 30_000_000, reason: 'message is larger than the limit' },
  },
  {
    type: 'raw-messages-purged',
    actor: 'cli:ops',
    at: '2033-01-01T10:00:00.000Z',
    detail: { messages: 3, outbox: 5, policy: 'raw messages of cases closed more than 6 years ago' },
  },
];
const WORKFLOW_ONLY: CaseEventType[] = [
  'staff-message',
  'mail-held-back',
  'mail-folded',
  'message-not-read',
  'mail-recipients-deferred',
  'raw-messages-purged',
];

/** Mails the outbox writer composes itself (loop protection's summaries), as it composes them. */
const WORKFLOW_MAILS: MailIntent[] = [
  {
    kind: 'fold-summary',
    key: 'fold-mk2-reply-notice',
    to: [RM],
    cc: [],
    timing: 'now',
    data: { sender: addr('professional'), count: 2, safeguarding: 1, items: [{ kind: 'reply-notice', at: '2026-12-01T10:00:00.000Z', safeguarding: true }] },
  },
];

const decisions = [...reg5Life(), ...firoLife(), ...panelLife(), ...lateRequest(), ...trustLife(), ...confirmationLife(), ...outOfHoursLife()];
const events = decisions.flatMap((d) => d.events);
const mails = [...decisions.flatMap((d) => d.mails), ...WORKFLOW_MAILS];

/** The row as PostgreSQL gives it back: JSON, without `undefined` keys. */
function stored(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('case events', () => {
  it('every event of whole case lives, stored and read back, matches its kind', () => {
    for (const e of [...events, ...WORKFLOW_EVENTS]) {
      const read = readCaseEvent(e.type, stored(e.detail));
      expect(read, `${e.type} ${JSON.stringify(e.detail)}`).toEqual({ type: e.type, detail: stored(e.detail) });
    }
  });

  it('the lives produce every kind the domain has (a new kind needs a life that produces it)', () => {
    const produced = new Set(events.map((e) => e.type));
    expect([...produced].sort()).toEqual(CASE_EVENT_TYPES.filter((t) => !WORKFLOW_ONLY.includes(t)).sort());
  });

  it('reads rows written before later fields were added', () => {
    // step-sent before `dueAt` / `redrafted`, skipped before `reason` / `responder`.
    expect(readCaseEvent('step-sent', { step: 1, rung: 'r', to: ['a@x'], cc: [], notCopied: [], deadlineAt: null })).toMatchObject({ type: 'step-sent' });
    expect(readCaseEvent('skipped', { step: 2, rung: 'r' })).toEqual({ type: 'skipped', detail: { step: 2, rung: 'r' } });
  });

  it('keeps reading a row a newer version wrote with an extra field (the field is not kept)', () => {
    expect(readCaseEvent('note-added', { text: 'x', tag: 'new' })).toEqual({ type: 'note-added', detail: { text: 'x' } });
  });

  it('reads an unknown type as unreadable, with its stored type and content', () => {
    expect(readCaseEvent('case-teleported', { to: 'mars' })).toEqual({
      type: 'unreadable',
      storedType: 'case-teleported',
      stored: { to: 'mars' },
      problem: 'unknown type',
    });
  });

  it('reads a known type whose fields do not match as unreadable, naming the fields, not their content', () => {
    const missing = readCaseEvent('step-sent', { step: 1, rung: 'r' });
    expect(missing).toMatchObject({ type: 'unreadable', storedType: 'step-sent' });
    expect(missing.type === 'unreadable' && missing.problem).toBe('fields do not match: detail.to, detail.cc, detail.notCopied, detail.deadlineAt');
    expect(readCaseEvent('reply-received', { role: 'professional', class: 'maybe', evidence: null, message: 'm' })).toMatchObject({
      type: 'unreadable',
      problem: 'fields do not match: detail.class',
    });
    expect(readCaseEvent('paused', null)).toMatchObject({ type: 'unreadable', problem: 'fields do not match: detail' });
    expect(readCaseEvent('approved', { step: 'one', rung: 'r' })).toMatchObject({ type: 'unreadable', problem: 'fields do not match: detail.step' });
  });

  it('the schema rejects a body whose detail belongs to another kind', () => {
    expect(caseEventSchema.safeParse({ type: 'paused', detail: { text: 'x' } }).success).toBe(false);
    expect(caseEventSchema.safeParse({ type: 'resolved', detail: { by: 'magic' } }).success).toBe(false);
  });
});

describe('mail intents', () => {
  it('every mail of whole case lives matches its kind', () => {
    for (const m of mails) {
      const parsed = mailIntentSchema.safeParse(stored(m));
      expect(parsed.success, `${m.kind} ${parsed.error?.message ?? ''}`).toBe(true);
      // The facts are described in full (a field the schema did not know would be dropped here);
      // recipients may carry more than a contact (the role they were resolved for).
      expect(parsed.data?.data).toEqual(stored(m.data));
    }
  });

  it('the lives produce every kind of mail', () => {
    expect([...new Set(mails.map((m) => m.kind))].sort()).toEqual([...MAIL_KINDS].sort());
  });

  it('rejects a mail without its facts, of an unknown kind, or about a step without naming it', () => {
    const chaser = mails.find((m): m is Extract<MailIntent, { kind: 'chaser' }> => m.kind === 'chaser')!;
    const { missingCc: _dropped, ...data } = chaser.data;
    expect(mailIntentSchema.safeParse({ ...chaser, data }).success).toBe(false);
    expect(mailIntentSchema.safeParse({ ...chaser, kind: 'postcard' }).success).toBe(false);
    const { step: _step, ...unstepped } = chaser;
    expect(mailIntentSchema.safeParse(unstepped).success).toBe(false);
    expect(mailIntentSchema.safeParse({ ...chaser, timing: 'later' }).success).toBe(false);
  });
});
