/**
 * The pure case state machine driven with a hand-moved clock. Expected moments were worked out by
 * hand from the real calendar: 23 November 2026 is a Monday; Europe/London is on GMT (UTC+0) from
 * 25 October 2026 to 28 March 2027, so every time below is also its UTC time; England and Wales
 * have bank holidays on Fri 25 Dec 2026, Mon 28 Dec 2026 (Boxing Day substitute) and Fri 1 Jan 2027.
 */
import { describe, expect, it } from 'vitest';
import { timetableRows } from '../../../src/domain/case/timetable-view.js';
import { CaseDriver, RM, ORIGINATOR, addr, emails, ladder, mailsOf, people, reg5ChildProtectionOnWeeks } from './case-driver.js';

const FIRO_PEOPLE = ['ssw-team-manager', 'ssw', 'fostering-service-manager', 'head-of-service', 'foster-carer'];
const REG5_PEOPLE = ['professional', 'team-manager', 'assistant-director', 'iro', 'dcs', 'ofsted-inspector', 'lscp'];
const PRACTICE_PEOPLE = ['team-manager', 'service-manager', 'head-of-service', 'deputy-director', 'director', 'psw'];
const PANEL_PEOPLE = ['responsible-manager', 'panel-adviser', 'senior-manager', 'adm', 'panel-chair'];

/** FIRO ladder, England and Wales, opened Monday 23 November 2026 at 10:00: rungs at the opening of every fifth working day. */
function firo(participants = people(...FIRO_PEOPLE)): CaseDriver {
  const d = new CaseDriver(ladder('firo-dispute-resolution'));
  d.at('2026-11-23T10:00:00Z').open({ participants });
  return d;
}

/** Reg 5 ladder, England and Wales, opened Monday 2 November 2026 at 10:00 (calendar weeks from opening). */
function reg5(flags: { 'child-protection'?: boolean } = {}): CaseDriver {
  // A child protection case on the standard weeks: an organisation's own reg 5 file (the shipped one
  // puts it on the safeguarding timescales; test/unit/case/reg5-policy-gaps.test.ts).
  const d = new CaseDriver(flags['child-protection'] ? reg5ChildProtectionOnWeeks() : ladder('childrens-home-reg5'));
  d.at('2026-11-02T10:00:00Z').open({ participants: people(...REG5_PEOPLE), flags });
  return d;
}

describe('opening', () => {
  it('plans the FIRO rungs five working days apart and sends a confirmation', () => {
    const d = firo();
    expect(d.plan()).toEqual([
      ['stage-2-meeting', 'planned', '2026-11-30T09:00:00+00:00'],
      ['stage-3-head-of-service', 'planned', '2026-12-07T09:00:00+00:00'],
      ['legal-advice-or-ofsted', 'planned', '2026-12-14T09:00:00+00:00'],
    ]);
    expect(mailsOf(d.last(), 'confirmation')).toHaveLength(1);
    expect(d.state.nextAction).toBe('step');
    expect(d.state.nextActionAt).toBe('2026-11-30T09:00:00.000Z');
    // The request's own deadline: the end of the working day before stage 2.
    expect(d.state.requestDeadlineAt).toBe('2026-11-27T17:00:00.000Z');
  });

  it('sends a rung when it falls due, to its roles, and tells the originator and the foster carer (the case says the carer is kept informed)', () => {
    const d = new CaseDriver(ladder('firo-dispute-resolution'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...FIRO_PEOPLE), flags: { 'carer-informed': true } });
    expect(d.at('2026-11-30T08:59:00Z').advance().mails).toEqual([]);
    const sent = d.at('2026-11-30T09:00:00Z').advance();
    const [chaser] = mailsOf(sent, 'chaser');
    expect(emails(chaser!.to)).toEqual([addr('fostering-service-manager')]);
    expect(emails(chaser!.cc)).toEqual([addr('ssw'), addr('ssw-team-manager')].sort());
    expect(mailsOf(sent, 'step-notice')).toHaveLength(1);
    expect(emails(mailsOf(sent, 'kept-informed')[0]!.to)).toEqual([addr('foster-carer')]);
    // Five working days: Mon 30 Nov to the end of Fri 4 Dec, the working day before stage 3 (Mon 7 Dec).
    expect(d.step('stage-2-meeting').deadlineAt).toBe('2026-12-04T17:00:00.000Z');
    expect(d.due('stage-3-head-of-service')).toBe('2026-12-07T09:00:00+00:00');
  });
});

describe('PAUSE and RESUME', () => {
  it('PAUSE until a date moves every later rung by the paused working days', () => {
    const d = firo();
    // Paused on Wed 25 Nov until Wed 2 Dec 09:00: Thu 26, Fri 27, Mon 30, Tue 1, Wed 2 = 5 working days.
    d.at('2026-11-25T11:00:00Z').command({ kind: 'pause', until: '2026-12-02' });
    expect(d.state.status).toBe('paused');
    expect(d.state.pause?.until).toBe('2026-12-02T09:00:00.000Z');
    expect(d.plan()).toEqual([
      ['stage-2-meeting', 'planned', '2026-12-07T09:00:00+00:00'],
      ['stage-3-head-of-service', 'planned', '2026-12-14T09:00:00+00:00'],
      ['legal-advice-or-ofsted', 'planned', '2026-12-21T09:00:00+00:00'],
    ]);
    expect(d.state.nextAction).toBe('resume');
    expect(d.state.nextActionAt).toBe('2026-12-02T09:00:00.000Z');

    // The original due moment passes quietly.
    expect(mailsOf(d.at('2026-11-30T09:00:00Z').advance(), 'chaser')).toEqual([]);
    // The pause ends by itself; nothing is due yet.
    const resumed = d.at('2026-12-02T09:00:00Z').advance();
    expect(d.state.status).toBe('open');
    expect(resumed.events.map((e) => e.type)).toContain('resumed');
    expect(mailsOf(resumed, 'chaser')).toEqual([]);
    expect(d.state.nextActionAt).toBe('2026-12-07T09:00:00.000Z');
    expect(mailsOf(d.at('2026-12-07T09:00:00Z').advance(), 'chaser')).toHaveLength(1);
  });

  it('RESUME brings the rungs forward by the unused part of the pause', () => {
    const d = firo();
    d.at('2026-11-25T11:00:00Z').command({ kind: 'pause', until: '2026-12-02' });
    // Resumed on Fri 27 Nov: Mon 30, Tue 1, Wed 2 (3 working days) were not used.
    d.at('2026-11-27T12:00:00Z').command({ kind: 'resume' });
    expect(d.state.status).toBe('open');
    expect(d.state.pause).toBeUndefined();
    expect(d.plan()).toEqual([
      ['stage-2-meeting', 'planned', '2026-12-02T09:00:00+00:00'],
      ['stage-3-head-of-service', 'planned', '2026-12-09T09:00:00+00:00'],
      ['legal-advice-or-ofsted', 'planned', '2026-12-16T09:00:00+00:00'],
    ]);
  });

  it('PAUSE and RESUME at the same moment change nothing', () => {
    const d = firo();
    d.at('2026-11-25T11:00:00Z').command({ kind: 'pause', until: '2026-12-10' });
    d.command({ kind: 'resume' });
    expect(d.plan().map(([, , at]) => at)).toEqual(['2026-11-30T09:00:00+00:00', '2026-12-07T09:00:00+00:00', '2026-12-14T09:00:00+00:00']);
  });

  it('on the calendar clock the rungs move by the paused time, and off a bank holiday', () => {
    const d = new CaseDriver(ladder('childrens-home-reg5'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...REG5_PEOPLE) });
    // Paused Mon 30 Nov 10:00 until Mon 7 Dec 09:00: 6 days 23 hours.
    d.at('2026-11-30T10:00:00Z').command({ kind: 'pause', until: '2026-12-07' });
    expect(d.plan().map(([rung, , at]) => [rung, at])).toEqual([
      ['professional-reminder', '2026-12-14T09:00:00+00:00'],
      ['team-manager-reminder', '2026-12-21T09:00:00+00:00'],
      // Mon 21 Dec + 6d23h = Mon 28 Dec 09:00, the Boxing Day substitute: Tue 29 Dec.
      ['assistant-director', '2026-12-29T09:00:00+00:00'],
      ['dcs', '2027-01-11T09:00:00+00:00'],
      ['ofsted-inspector', '2027-01-25T09:00:00+00:00'],
      ['lscp', '2027-01-25T09:00:00+00:00'],
    ]);
  });

  it('refuses a pause date in the past and changes nothing', () => {
    const d = firo();
    const before = d.plan();
    const r = d.at('2026-11-25T11:00:00Z').command({ kind: 'pause', until: '2026-11-20' });
    expect(mailsOf(r, 'command-error')).toHaveLength(1);
    expect(d.state.status).toBe('open');
    expect(d.plan()).toEqual(before);
  });
});

describe('EXTEND', () => {
  it('EXTEND 3 working days moves the next rung and the rest with it', () => {
    const d = firo();
    const r = d.at('2026-11-24T10:00:00Z').command({ kind: 'extend', by: { unit: 'wd', n: 3 } });
    expect(mailsOf(r, 'command-ack')).toHaveLength(1);
    expect(d.plan().map(([, , at]) => at)).toEqual(['2026-12-03T09:00:00+00:00', '2026-12-10T09:00:00+00:00', '2026-12-17T09:00:00+00:00']);
  });

  it('EXTEND 1 week, then EXTEND 2 days landing on a Saturday, goes to the next opening', () => {
    const d = firo();
    d.at('2026-11-24T10:00:00Z').command({ kind: 'extend', by: { unit: 'w', n: 1 } });
    expect(d.plan().map(([, , at]) => at)).toEqual(['2026-12-07T09:00:00+00:00', '2026-12-14T09:00:00+00:00', '2026-12-21T09:00:00+00:00']);
    // Mon 7 Dec + 5 calendar days = Sat 12 Dec → Mon 14 Dec 09:00.
    d.command({ kind: 'extend', by: { unit: 'd', n: 5 } });
    expect(d.due('stage-2-meeting')).toBe('2026-12-14T09:00:00+00:00');
  });
});

describe('a promise from the chased recipient', () => {
  it('holds the ladder until the promised date plus the grace, then it goes on', () => {
    const d = firo();
    // "By Thursday 3 December": held until Thu 3 Dec 09:00 + 1 working day = Fri 4 Dec 09:00.
    const r = d.at('2026-11-26T11:00:00Z').reply('ssw-team-manager', 'promise', '2026-12-03');
    expect(d.state.hold?.until).toBe('2026-12-04T09:00:00.000Z');
    expect(mailsOf(r, 'reply-notice')).toHaveLength(1);
    expect(d.state.nextAction).toBe('hold-ends');
    expect(d.state.nextActionAt).toBe('2026-12-04T09:00:00.000Z');

    // Stage 2 was due Mon 30 Nov: it waits.
    expect(mailsOf(d.at('2026-11-30T10:00:00Z').advance(), 'chaser')).toEqual([]);
    expect(mailsOf(d.at('2026-12-03T16:59:00Z').advance(), 'chaser')).toEqual([]);

    const lapsed = d.at('2026-12-04T09:00:00Z').advance();
    expect(lapsed.events.map((e) => e.type)).toEqual(expect.arrayContaining(['promise-lapsed', 'step-sent']));
    expect(d.state.hold).toBeUndefined();
    expect(d.step('stage-2-meeting').sentAt).toBe('2026-12-04T09:00:00.000Z');
    // The rest count from when stage 2 really went.
    expect(d.due('stage-3-head-of-service')).toBe('2026-12-11T09:00:00+00:00');
    expect(d.due('legal-advice-or-ofsted')).toBe('2026-12-18T09:00:00+00:00');
  });

  it('"done" from the chased recipient resolves the case and nothing more is sent, on a ladder with resolution: auto', () => {
    const d = new CaseDriver({ ...ladder('firo-dispute-resolution'), resolution: 'auto' });
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...FIRO_PEOPLE) });
    const r = d.at('2026-11-26T11:00:00Z').reply('ssw-team-manager', 'resolved');
    expect(d.state.status).toBe('resolved');
    expect(r.drafts).toEqual([{ kind: 'cancel-all' }]);
    expect(d.at('2026-11-30T10:00:00Z').advance().mails).toEqual([]);
    expect(d.state.nextActionAt).toBeNull();
  });
});

describe('a meeting date confirmed at a FIRO meeting rung', () => {
  /** FIRO opened Mon 23 Nov; stage 2 (the meeting request to the FSM) went Mon 30 Nov 10:00. */
  function afterStage2(): CaseDriver {
    const d = firo();
    d.at('2026-11-30T10:00:00Z').advance();
    expect(d.step('stage-2-meeting').status).toBe('sent');
    return d;
  }
  const meeting = (date: string, cls: 'other' | 'resolved' = 'other') => ({ class: cls, meetingDate: date, meetingEvidence: 'confirm the meeting for …' });

  it('holds stage 3 until the meeting date plus the grace, noting the date; then stage 3 goes', () => {
    const d = afterStage2();
    // Wed 2 Dec: the FSM confirms the meeting for Thu 10 Dec. Held until Thu 10 Dec 09:00 + 1wd = Fri 11 Dec 09:00.
    const r = d.at('2026-12-02T11:00:00Z').replyAs('fostering-service-manager', meeting('2026-12-10'));
    expect(d.state.status).toBe('open');
    expect(d.state.hold).toMatchObject({ until: '2026-12-11T09:00:00.000Z', meetingOn: '2026-12-10', by: addr('fostering-service-manager') });
    const noted = r.events.find((e) => e.type === 'meeting-date-noted');
    expect(noted).toMatchObject({
      actor: addr('fostering-service-manager'),
      detail: { meetingOn: '2026-12-10', step: 1, rung: 'stage-2-meeting', holdUntil: '2026-12-11T09:00:00.000Z' },
    });
    const [notice] = mailsOf(r, 'reply-notice');
    expect(notice!.data).toMatchObject({ meetingOn: '2026-12-10', holdUntil: '2026-12-11T09:00:00.000Z' });
    expect(d.state.nextAction).toBe('hold-ends');
    expect(d.state.nextActionAt).toBe('2026-12-11T09:00:00.000Z');
    // Held like a dated promise: stage 3 itself moves to the end of the hold, and the notice of
    // intention after it keeps its five working days (Fri 11 Dec + 5wd = Fri 18 Dec).
    expect(d.due('stage-3-head-of-service')).toBe('2026-12-11T09:00:00+00:00');
    expect(d.due('legal-advice-or-ofsted')).toBe('2026-12-18T09:00:00+00:00');
    expect(timetableRows(d.state, d.ctx()).find((row) => row.rung === 'stage-3-head-of-service')!.atText).toBe(
      'Friday 11 December 2026 at 09:00 (held for the meeting on Thursday 10 December 2026)',
    );

    // Stage 3 was due Mon 7 Dec; the meeting has not happened yet, so nothing goes.
    expect(mailsOf(d.at('2026-12-07T10:00:00Z').advance(), 'chaser')).toEqual([]);
    expect(mailsOf(d.at('2026-12-10T16:00:00Z').advance(), 'chaser')).toEqual([]);
    // No resolution from the meeting by Fri 11 Dec 09:00: stage 3 to the Head of Service.
    const stage3 = d.at('2026-12-11T09:00:00Z').advance();
    expect(emails(mailsOf(stage3, 'chaser')[0]!.to)).toEqual([addr('head-of-service')]);
    // The audit trail says the meeting's hold ended, not that a promise lapsed.
    expect(stage3.events.map((e) => e.type)).toContain('meeting-hold-ended');
    expect(stage3.events.map((e) => e.type)).not.toContain('promise-lapsed');
    // The notice of intention counts from then: Fri 11 Dec + 5wd = Fri 18 Dec 09:00.
    expect(d.due('legal-advice-or-ofsted')).toBe('2026-12-18T09:00:00+00:00');

    // Mon 14 Dec: the Head of Service confirms the stage 3 meeting for Wed 6 Jan 2027 (after
    // Christmas, Boxing Day's substitute and New Year's Day). Held until Thu 7 Jan 09:00.
    d.at('2026-12-14T15:00:00Z').replyAs('head-of-service', meeting('2027-01-06'));
    expect(d.state.hold?.until).toBe('2027-01-07T09:00:00.000Z');
    expect(d.at('2026-12-18T09:00:00Z').advance().mails).toEqual([]);
    d.at('2027-01-07T09:00:00Z').advance();
    expect(d.step('legal-advice-or-ofsted').status).toBe('awaiting-approval');
  });

  it('a confirmation the reply rules read as done does not resolve: the resolution comes from the meeting', () => {
    const d = afterStage2();
    // "It has been arranged for 10 December."
    d.at('2026-12-02T11:00:00Z').replyAs('fostering-service-manager', meeting('2026-12-10', 'resolved'));
    expect(d.state.status).toBe('open');
    expect(d.state.hold?.until).toBe('2026-12-11T09:00:00.000Z');
    // The RM (or the FIRO) still closes it with RESOLVED when the meeting settles it.
    d.at('2026-12-10T16:00:00Z').command({ kind: 'resolved' });
    expect(d.state.status).toBe('resolved');
    expect(d.at('2026-12-11T09:00:00Z').advance().mails).toEqual([]);
  });

  it('ESCALATE still goes on at once (a child at immediate risk need not wait for the meeting)', () => {
    const d = afterStage2();
    d.at('2026-12-02T11:00:00Z').replyAs('fostering-service-manager', meeting('2026-12-10'));
    const esc = d.at('2026-12-03T10:00:00Z').command({ kind: 'escalate' });
    expect(emails(mailsOf(esc, 'chaser')[0]!.to)).toEqual([addr('head-of-service')]);
    expect(d.state.hold).toBeUndefined();
  });

  it('a meeting date in a reply before any meeting was asked for changes nothing', () => {
    const d = firo();
    // Stage 1 (the opening request to the SSW's team manager) asks for a response, not a meeting.
    const r = d.at('2026-11-26T11:00:00Z').replyAs('ssw-team-manager', meeting('2026-12-10'));
    expect(r.events.map((e) => e.type)).not.toContain('meeting-date-noted');
    expect(d.state.hold).toBeUndefined();
    expect(mailsOf(d.at('2026-11-30T10:00:00Z').advance(), 'chaser')).toHaveLength(1);
  });

  it('a date that is no later than the next rung still notes the meeting, and the ladder keeps its time', () => {
    const d = afterStage2();
    // Meeting Thu 3 Dec: held until Fri 4 Dec 09:00, before stage 3 (Mon 7 Dec 09:00).
    const r = d.at('2026-12-01T11:00:00Z').replyAs('fostering-service-manager', meeting('2026-12-03'));
    expect(r.events.map((e) => e.type)).toContain('meeting-date-noted');
    expect(d.state.nextActionAt).toBe('2026-12-07T09:00:00.000Z');
    expect(mailsOf(d.at('2026-12-07T09:00:00Z').advance(), 'chaser')).toHaveLength(1);
  });

  it('practice disagreement notes the meeting date but keeps its one-working-day timescales (5.2, 5.4)', () => {
    const d = new CaseDriver(ladder('practice-disagreement'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...PRACTICE_PEOPLE) });
    d.at('2026-11-24T10:00:00Z').advance();
    expect(d.step('service-manager').status).toBe('sent');
    const r = d.at('2026-11-24T12:00:00Z').replyAs('service-manager', meeting('2026-12-01'));
    expect(r.events.find((e) => e.type === 'meeting-date-noted')).toMatchObject({ detail: { meetingOn: '2026-12-01', holdUntil: null } });
    expect(d.state.hold).toBeUndefined();
    expect(mailsOf(d.at('2026-11-25T10:00:00Z').advance(), 'chaser')).toHaveLength(1);
  });
});

describe('SAFEGUARDING switch', () => {
  it('mid-ladder: the remaining rungs follow the urgent spacing from the switch', () => {
    const d = reg5();
    // Standard plan from Mon 2 Nov: +2w 16 Nov, +3w 23 Nov, +4w 30 Nov, +6w 14 Dec, +8w 28 Dec (holiday) → 29 Dec.
    expect(d.plan().map(([, , at]) => at)).toEqual([
      '2026-11-16T10:00:00+00:00',
      '2026-11-23T10:00:00+00:00',
      '2026-11-30T10:00:00+00:00',
      '2026-12-14T10:00:00+00:00',
      '2026-12-29T09:00:00+00:00',
      '2026-12-29T09:00:00+00:00',
    ]);
    expect(mailsOf(d.at('2026-11-16T10:00:00Z').advance(), 'chaser')).toHaveLength(1);

    // Wed 18 Nov 11:00: urgent rungs are 1wd apart (2wd−1wd, 3wd−2wd, …; the LSCP shares the Ofsted rung's day),
    // each at the opening of its working day.
    const r = d.at('2026-11-18T11:00:00Z').command({ kind: 'safeguarding' });
    expect(mailsOf(r, 'chaser')).toEqual([]);
    expect(d.state.variant).toBe('urgent');
    expect(d.state.flags.safeguarding).toBe(true);
    expect(d.plan()).toEqual([
      ['professional-reminder', 'sent', '2026-11-16T10:00:00+00:00'],
      ['team-manager-reminder', 'planned', '2026-11-19T09:00:00+00:00'],
      ['assistant-director', 'planned', '2026-11-20T09:00:00+00:00'],
      ['dcs', 'planned', '2026-11-23T09:00:00+00:00'],
      ['ofsted-inspector', 'planned', '2026-11-24T09:00:00+00:00'],
      ['lscp', 'planned', '2026-11-24T09:00:00+00:00'],
    ]);
    const tm = d.at('2026-11-19T09:00:00Z').advance();
    expect(emails(mailsOf(tm, 'chaser')[0]!.to)).toEqual([addr('team-manager')]);
    // The urgent rung's deadline: one working day, the day it goes (the Assistant Director follows the next morning).
    expect(d.step('team-manager-reminder').deadlineAt).toBe('2026-11-19T17:00:00.000Z');
  });

  it('before any rung went, weeks after the opening: spaced from the switch, not all sent at once', () => {
    const d = reg5();
    // Thu 12 Nov: the urgent timetable counted from the opening (3–9 Nov) would all be overdue.
    const r = d.at('2026-11-12T10:00:00Z').command({ kind: 'safeguarding' });
    expect(mailsOf(r, 'chaser')).toEqual([]);
    expect(mailsOf(r, 'approval-request')).toEqual([]);
    expect(d.plan()).toEqual([
      ['professional-reminder', 'planned', '2026-11-13T09:00:00+00:00'],
      ['team-manager-reminder', 'planned', '2026-11-16T09:00:00+00:00'],
      ['assistant-director', 'planned', '2026-11-17T09:00:00+00:00'],
      ['dcs', 'planned', '2026-11-18T09:00:00+00:00'],
      ['ofsted-inspector', 'planned', '2026-11-19T09:00:00+00:00'],
      ['lscp', 'planned', '2026-11-19T09:00:00+00:00'],
    ]);
  });

  it('soon after the opening: the urgent timetable counts from the opening', () => {
    const d = reg5();
    d.at('2026-11-02T11:30:00Z').command({ kind: 'safeguarding' });
    expect(d.plan().map(([, , at]) => at)).toEqual([
      '2026-11-03T09:00:00+00:00',
      '2026-11-04T09:00:00+00:00',
      '2026-11-05T09:00:00+00:00',
      '2026-11-06T09:00:00+00:00',
      '2026-11-09T09:00:00+00:00',
      '2026-11-09T09:00:00+00:00',
    ]);
  });

  it('on a ladder without urgent timescales it only sets the flag', () => {
    const d = firo();
    const before = d.plan();
    d.at('2026-11-24T10:00:00Z').command({ kind: 'safeguarding' });
    expect(d.state.flags.safeguarding).toBe(true);
    expect(d.state.variant).toBe('standard');
    expect(d.plan()).toEqual(before);
  });
});

describe('a role with no address', () => {
  it('holds the rung, asks the RM once, and a directive releases it (in the morning, not at night)', () => {
    const d = firo(people('ssw-team-manager', 'ssw', 'head-of-service', 'foster-carer'));
    const held = d.at('2026-11-30T10:00:00Z').advance();
    expect(d.step('stage-2-meeting').status).toBe('held');
    expect(d.step('stage-2-meeting').missingRoles).toEqual(['fostering-service-manager']);
    expect(mailsOf(held, 'chaser')).toEqual([]);
    const [ask] = mailsOf(held, 'contact-request');
    expect(emails(ask!.to)).toEqual([ORIGINATOR.email]);
    expect(emails(ask!.cc)).toEqual([RM.email]);
    expect(d.state.nextActionAt).toBeNull();

    // Asked only once, however often the case is looked at.
    expect(d.at('2026-12-01T10:00:00Z').advance().mails).toEqual([]);
    expect(d.at('2026-12-02T16:00:00Z').advance().mails).toEqual([]);

    // The RM supplies the address at 20:00: the rung goes at the next opening, not at night.
    const released = d.at('2026-12-02T20:00:00Z').command({
      kind: 'directive',
      directive: { kind: 'contact', role: 'fostering-service-manager', contact: { email: addr('fostering-service-manager') } },
    });
    expect(mailsOf(released, 'chaser')).toEqual([]);
    expect(d.step('stage-2-meeting').status).toBe('planned');
    expect(d.due('stage-2-meeting')).toBe('2026-12-03T09:00:00+00:00');
    expect(d.at('2026-12-03T06:00:00Z').advance().mails).toEqual([]);

    const sent = d.at('2026-12-03T09:00:00Z').advance();
    expect(emails(mailsOf(sent, 'chaser')[0]!.to)).toEqual([addr('fostering-service-manager')]);
    expect(mailsOf(sent, 'contact-request')).toEqual([]);
    // The later rungs were pushed back, not bunched: Thu 3 Dec + 5wd = Thu 10 Dec.
    expect(d.due('stage-3-head-of-service')).toBe('2026-12-10T09:00:00+00:00');
    expect(d.due('legal-advice-or-ofsted')).toBe('2026-12-17T09:00:00+00:00');
    expect(d.decisions.flatMap((x) => mailsOf(x, 'contact-request'))).toHaveLength(1);
  });

  it('a missing Cc does not hold the rung; it goes without them', () => {
    const d = firo(people('ssw-team-manager', 'fostering-service-manager', 'head-of-service'));
    const sent = d.at('2026-11-30T10:00:00Z').advance();
    expect(d.step('stage-2-meeting').status).toBe('sent');
    expect(mailsOf(sent, 'chaser')[0]!.data.missingCc).toEqual(['ssw']);
  });
});

describe('a bounce', () => {
  it('marks the address undeliverable, tells the RM once, and holds a rung that then has no address', () => {
    const d = firo();
    d.at('2026-11-30T10:00:00Z').advance();
    const b = d.at('2026-12-01T08:00:00Z').bounce(addr('head-of-service'));
    expect(d.state.participants.find((p) => p.role === 'head-of-service')?.undeliverable?.reason).toBe('5.1.1');
    const [notice] = mailsOf(b, 'bounce-notice');
    expect(emails(notice!.to)).toEqual([ORIGINATOR.email]);
    expect(b.events.map((e) => e.type)).toEqual(['bounce']);
    // The same address bouncing again is recorded, not told twice.
    expect(mailsOf(d.at('2026-12-01T08:05:00Z').bounce(addr('head-of-service')), 'bounce-notice')).toEqual([]);

    const held = d.at('2026-12-07T10:00:00Z').advance();
    expect(mailsOf(held, 'chaser')).toEqual([]);
    expect(d.step('stage-3-head-of-service').status).toBe('held');
    expect(d.step('stage-3-head-of-service').missingRoles).toEqual(['head-of-service']);
    expect(mailsOf(held, 'contact-request')).toHaveLength(1);

    // A new address releases it.
    const sent = d.at('2026-12-07T11:00:00Z').command({
      kind: 'directive',
      directive: { kind: 'contact', role: 'head-of-service', contact: { email: 'hos.new@la.example.gov.uk' } },
    });
    expect(emails(mailsOf(sent, 'chaser')[0]!.to)).toEqual(['hos.new@la.example.gov.uk']);
  });
});

describe('approval-gated rungs', () => {
  /** Reg 5 up to the DCS rung: sent 16, 23, 30 Nov; the DCS draft is put to the RM on 14 Dec. */
  function atDcs(flags: { 'child-protection'?: boolean } = {}): CaseDriver {
    const d = reg5(flags);
    for (const day of ['2026-11-16', '2026-11-23', '2026-11-30']) d.at(`${day}T10:00:00Z`).advance();
    const drafted = d.at('2026-12-14T10:00:00Z').advance();
    expect(d.step('dcs').status).toBe('awaiting-approval');
    const [held] = mailsOf(drafted, 'chaser');
    expect(held!.held).toBe(true);
    expect(emails(held!.to)).toEqual([addr('dcs')]);
    expect(emails(mailsOf(drafted, 'approval-request')[0]!.to)).toEqual([ORIGINATOR.email]);
    return d;
  }

  it('APPROVE on the day it was drafted: the draft is released as it was', () => {
    const d = atDcs();
    const approved = d.at('2026-12-14T15:00:00Z').command({ kind: 'approve' });
    expect(approved.drafts).toEqual([{ kind: 'release', step: d.step('dcs').n }]);
    expect(mailsOf(approved, 'chaser')).toEqual([]);
    expect(d.step('dcs').status).toBe('sent');
    expect(d.step('dcs').decidedBy).toBe(RM.email);
    expect(String(mailsOf(approved, 'command-ack')[0]!.data.done[0])).toMatch(/exactly as drafted/);
    // The Ofsted rung still counts from the opening: +8w = Mon 28 Dec (holiday) → Tue 29 Dec.
    expect(d.due('ofsted-inspector')).toBe('2026-12-29T09:00:00+00:00');
  });

  it('wait for APPROVE with working-day reminders; approved the next day, its dates count from then', () => {
    const d = atDcs();
    expect(d.state.nextAction).toBe('approval-reminder');
    expect(d.state.nextActionAt).toBe('2026-12-15T10:00:00.000Z');
    expect(mailsOf(d.at('2026-12-15T10:00:00Z').advance(), 'approval-reminder')).toHaveLength(1);
    const approved = d.at('2026-12-15T11:00:00Z').command({ kind: 'approve' });
    expect(approved.drafts).toEqual([{ kind: 'release', step: d.step('dcs').n }]);
    // Composed again in place of the draft, with the Ofsted rung moved back (below): its window ends
    // on Thu 24 Dec, the last working day before Tue 29 Dec.
    const [again] = mailsOf(approved, 'chaser');
    expect(again).toMatchObject({ key: `s${d.step('dcs').n}-chaser`, replacesDraft: true, data: { deadlineAt: '2026-12-24T17:00:00.000Z' } });
    expect(d.step('dcs').status).toBe('sent');
    expect(d.step('dcs').decidedBy).toBe(RM.email);
    // The Ofsted rung moves back by the day and hour the draft waited: Mon 28 Dec 10:00 (holiday) → Tue 29 Dec 11:00.
    expect(d.due('ofsted-inspector')).toBe('2026-12-29T11:00:00+00:00');
  });

  it('SKIP moves on without sending anything', () => {
    const d = atDcs();
    const skipped = d.at('2026-12-15T11:00:00Z').command({ kind: 'skip' });
    expect(d.step('dcs').status).toBe('skipped');
    expect(d.step('dcs').sentAt).toBeUndefined();
    expect(skipped.drafts).toEqual([{ kind: 'cancel', step: d.step('dcs').n }]);
    expect(mailsOf(skipped, 'chaser')).toEqual([]);
    // Decided a day and an hour after it was due: the Ofsted rung moves back by as much, from
    // Mon 28 Dec 10:00 (where +8w fell) to Tue 29 Dec 11:00.
    expect(d.state.nextActionAt).toBe('2026-12-29T11:00:00.000Z');
  });

  it('APPROVE with nothing waiting is refused', () => {
    const d = reg5();
    const r = d.at('2026-11-03T10:00:00Z').command({ kind: 'approve' });
    expect(mailsOf(r, 'command-error')).toHaveLength(1);
  });

  describe('the 8-week rungs and the repeat stage', () => {
    function atOfsted(flags: { 'child-protection'?: boolean } = {}): CaseDriver {
      const d = atDcs(flags);
      d.at('2026-12-14T11:00:00Z').command({ kind: 'approve' });
      d.at('2026-12-29T09:00:00Z').advance();
      expect(d.step('ofsted-inspector').status).toBe('awaiting-approval');
      return d;
    }

    it('the LSCP rung (when: child-protection) is set aside when the case is not flagged, and the fortnightly repeat begins', () => {
      const d = atOfsted();
      const r = d.at('2026-12-29T10:00:00Z').command({ kind: 'approve' });
      expect(d.step('lscp').status).toBe('not-applicable');
      expect(r.events.map((e) => e.type)).toContain('step-not-applicable');
      expect(r.mails.filter((m) => m.kind === 'approval-request')).toEqual([]);
      // Repeat: ten weeks from the opening, two after where +8w fell (Mon 28 Dec 10:00), whatever day the send window moved it to.
      expect(d.plan().at(-1)).toEqual(['repeat', 'planned', '2027-01-11T10:00:00+00:00']);
      const rep = d.at('2027-01-11T10:00:00Z').advance();
      const [chaser] = mailsOf(rep, 'chaser');
      expect(emails(chaser!.to)).toEqual([addr('dcs')]);
      expect(emails(chaser!.cc)).toEqual([addr('assistant-director'), addr('iro'), addr('professional'), addr('team-manager')].sort());
      // …and again a fortnight later.
      expect(d.plan().at(-1)).toEqual(['repeat', 'planned', '2027-01-25T10:00:00+00:00']);
      expect(d.state.steps.filter((s) => s.rungId === 'repeat').map((s) => s.status)).toEqual(['sent', 'planned']);
    });

    it('the LSCP rung goes (after approval) when the case is a child protection matter', () => {
      const d = atOfsted({ 'child-protection': true });
      const r = d.at('2026-12-29T10:00:00Z').command({ kind: 'approve' });
      expect(d.step('lscp').status).toBe('awaiting-approval');
      expect(emails(mailsOf(r, 'chaser').find((m) => m.held)!.to)).toEqual([addr('lscp')]);
      d.at('2026-12-29T11:00:00Z').command({ kind: 'approve' });
      expect(d.step('lscp').status).toBe('sent');
      expect(d.plan().at(-1)).toEqual(['repeat', 'planned', '2027-01-11T10:00:00+00:00']);
    });

    it('SAFEGUARDING at the repeat stage keeps repeating, at the urgent spacing', () => {
      const d = atOfsted();
      d.at('2026-12-29T10:00:00Z').command({ kind: 'approve' });
      d.at('2027-01-11T10:00:00Z').advance();
      d.at('2027-01-13T10:00:00Z').command({ kind: 'safeguarding' });
      expect(d.state.variant).toBe('urgent');
      // Wed 13 Jan + 2 working days = Fri 15 Jan, at the opening.
      expect(d.plan().at(-1)).toEqual(['repeat', 'planned', '2027-01-15T09:00:00+00:00']);
      expect(d.state.nextActionAt).toBe('2027-01-15T09:00:00.000Z');
    });
  });
});

describe('urgent reg 5 run to the end', () => {
  it('an approval given on a Saturday counts the repeat from Monday’s opening; the urgent repeat copies everyone', () => {
    const d = new CaseDriver(ladder('childrens-home-reg5'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...REG5_PEOPLE), flags: { safeguarding: true } });
    expect(d.state.variant).toBe('urgent');
    expect(d.plan().map(([, , at]) => at)).toEqual([
      '2026-11-24T09:00:00+00:00',
      '2026-11-25T09:00:00+00:00',
      '2026-11-26T09:00:00+00:00',
      '2026-11-27T09:00:00+00:00',
      '2026-11-30T09:00:00+00:00',
      '2026-11-30T09:00:00+00:00',
    ]);
    for (const day of ['2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27']) d.at(`${day}T10:00:00Z`).advance();
    d.at('2026-11-27T11:00:00Z').command({ kind: 'approve' });
    d.at('2026-11-30T10:00:00Z').advance();
    expect(d.step('ofsted-inspector').status).toBe('awaiting-approval');
    // Approved Sat 5 Dec: the mail goes Mon 7 Dec 09:00, and the LSCP rung (due with it) moves with it;
    // set aside then, the repeat 2 working days later, Wed 9 Dec 09:00.
    d.at('2026-12-05T10:00:00Z').command({ kind: 'approve' });
    expect(d.due('lscp')).toBe('2026-12-07T09:00:00+00:00');
    d.at('2026-12-07T09:00:00Z').advance();
    expect(d.step('lscp').status).toBe('not-applicable');
    expect(d.plan().at(-1)).toEqual(['repeat', 'planned', '2026-12-09T09:00:00+00:00']);
    const rep = d.at('2026-12-09T09:00:00Z').advance();
    const [chaser] = mailsOf(rep, 'chaser');
    expect(emails(chaser!.to)).toEqual([addr('dcs')]);
    expect(emails(chaser!.cc)).toEqual([addr('assistant-director'), addr('iro'), addr('professional'), addr('team-manager')].sort());
    const sentRepeat = d.state.steps.find((s) => s.rungId === 'repeat' && s.status === 'sent');
    // The end of Thursday, the working day before the next repeat.
    expect(sentRepeat?.deadlineAt).toBe('2026-12-10T17:00:00.000Z');
    // The next repeat: Wed 9 Dec + 2wd = Fri 11 Dec.
    expect(d.plan().at(-1)).toEqual(['repeat', 'planned', '2026-12-11T09:00:00+00:00']);
  });
});

describe('outside the send window', () => {
  it('nothing escalates at night; a step found overdue on a Saturday counts its deadline and the next rung from Monday’s opening', () => {
    const d = new CaseDriver(ladder('firo-dispute-resolution'));
    // Fri 20 Nov 10:00 + 5wd = Fri 27 Nov, at the opening.
    d.at('2026-11-20T10:00:00Z').open({ participants: people(...FIRO_PEOPLE) });
    expect(d.due('stage-2-meeting')).toBe('2026-11-27T09:00:00+00:00');
    expect(d.at('2026-11-27T03:00:00Z').advance().mails).toEqual([]);
    // The job that should have run on Friday runs on Saturday morning.
    const late = d.at('2026-11-28T10:00:00Z').advance();
    const [chaser] = mailsOf(late, 'chaser');
    expect(chaser!.timing).toBe('window');
    // It goes Mon 30 Nov 09:00, a working day late: the later stages move back a working day, and its
    // deadline is the end of Fri 4 Dec, the working day before stage 3 (Mon 7 Dec 09:00).
    expect(chaser!.data.deadlineAt).toBe('2026-12-04T17:00:00.000Z');
    expect(d.due('stage-3-head-of-service')).toBe('2026-12-07T09:00:00+00:00');
    expect(d.due('legal-advice-or-ofsted')).toBe('2026-12-14T09:00:00+00:00');
  });

  it('ESCALATE at night sends the next rung at the next opening', () => {
    const d = firo();
    const r = d.at('2026-11-24T21:30:00Z').command({ kind: 'escalate' });
    expect(mailsOf(r, 'chaser')).toEqual([]);
    expect(d.due('stage-2-meeting')).toBe('2026-11-25T09:00:00+00:00');
    expect(mailsOf(d.at('2026-11-25T09:00:00Z').advance(), 'chaser')).toHaveLength(1);
    // Wed 25 Nov 09:00 + 5wd = Wed 2 Dec.
    expect(d.due('stage-3-head-of-service')).toBe('2026-12-02T09:00:00+00:00');
  });
});

describe('practice disagreement', () => {
  function practice(flags: { psw?: boolean } = {}): CaseDriver {
    const d = new CaseDriver(ladder('practice-disagreement'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...PRACTICE_PEOPLE), flags });
    return d;
  }

  it('goes one level a working day and stops at the Deputy Director; the Director only on ESCALATE, after approval', () => {
    const d = practice();
    expect(d.plan()).toEqual([
      ['service-manager', 'planned', '2026-11-24T09:00:00+00:00'],
      ['head-of-service', 'planned', '2026-11-25T09:00:00+00:00'],
      ['deputy-director', 'planned', '2026-11-26T09:00:00+00:00'],
      ['director', 'planned', null],
    ]);
    for (const day of ['2026-11-24', '2026-11-25', '2026-11-26']) {
      expect(mailsOf(d.at(`${day}T10:00:00Z`).advance(), 'chaser')).toHaveLength(1);
    }
    expect(d.step('director').status).toBe('planned');
    expect(d.state.nextActionAt).toBeNull();
    expect(d.at('2026-12-04T10:00:00Z').advance().mails).toEqual([]);

    const esc = d.at('2026-12-07T10:00:00Z').command({ kind: 'escalate' });
    expect(d.step('director').status).toBe('awaiting-approval');
    expect(emails(mailsOf(esc, 'chaser')[0]!.to)).toEqual([addr('director')]);
    expect(mailsOf(esc, 'approval-request')).toHaveLength(1);
    const ok = d.at('2026-12-07T10:30:00Z').command({ kind: 'approve' });
    expect(ok.drafts).toEqual([{ kind: 'release', step: d.step('director').n }]);
    expect(d.step('director').status).toBe('sent');
    // Nothing above the Director.
    expect(mailsOf(d.at('2026-12-07T11:00:00Z').command({ kind: 'escalate' }), 'command-error')).toHaveLength(1);
  });

  it('PSW: yes copies the Principal Social Worker at every level', () => {
    const d = practice();
    const first = d.at('2026-11-24T10:00:00Z').advance();
    expect(emails(mailsOf(first, 'chaser')[0]!.cc)).toEqual([]);
    d.at('2026-11-24T11:00:00Z').command({ kind: 'directive', directive: { kind: 'flag', flag: 'psw', value: true } });
    const second = d.at('2026-11-25T10:00:00Z').advance();
    expect(emails(mailsOf(second, 'chaser')[0]!.cc)).toEqual([addr('psw')]);
  });

  it('IMMINENT: the Deputy Director the same day with the PSW copied, and the timetable still reads', () => {
    const d = practice();
    d.at('2026-11-24T10:00:00Z').advance();
    const r = d.at('2026-11-24T14:00:00Z').command({ kind: 'imminent' });
    expect(d.state.variant).toBe('imminent');
    expect(d.state.flags.psw).toBe(true);
    const [chaser] = mailsOf(r, 'chaser');
    expect(emails(chaser!.to)).toEqual([addr('deputy-director')]);
    expect(emails(chaser!.cc)).toEqual([addr('psw')]);
    expect(d.step('deputy-director').sentAt).toBe('2026-11-24T14:00:00.000Z');
    // The service manager's rung (not on the imminent ladder) was already sent: it must still show.
    const rows = timetableRows(d.state, d.ctx());
    expect(rows.map((row) => [row.rung, row.status])).toEqual([
      ['service-manager', 'sent'],
      ['deputy-director', 'sent'],
      ['director', 'planned'],
    ]);
  });

  it('urgent from the opening: the service manager the same day, then a working day per level', () => {
    const d = new CaseDriver(ladder('practice-disagreement'));
    const r = d.at('2026-11-23T10:30:00Z').open({ participants: people(...PRACTICE_PEOPLE), flags: { safeguarding: true } });
    expect(d.state.variant).toBe('urgent');
    expect(emails(mailsOf(r, 'chaser')[0]!.to)).toEqual([addr('service-manager')]);
    expect(d.plan()).toEqual([
      ['service-manager', 'sent', '2026-11-23T10:30:00+00:00'],
      ['head-of-service', 'planned', '2026-11-24T09:00:00+00:00'],
      ['deputy-director', 'planned', '2026-11-25T09:00:00+00:00'],
      ['director', 'planned', null],
    ]);
  });
});

describe('fostering panel: a response awaits the ADM and panel chair', () => {
  // Step 6: the ADM or chair's further form comes with their ESCALATE (without it the senior
  // manager's step waits for it: test/unit/case/fostering-panel-form.test.ts).
  const FORM = { kind: 'directive', directive: { kind: 'remaining-concerns', text: 'the checks are still not complete' } } as const;
  function panel(): CaseDriver {
    const d = new CaseDriver(ladder('fostering-panel'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...PANEL_PEOPLE) });
    expect(d.plan().map(([, , at]) => at)).toEqual(['2026-11-30T09:00:00+00:00', '2026-12-07T09:00:00+00:00']);
    const reminder = d.at('2026-11-30T10:00:00Z').advance();
    expect(emails(mailsOf(reminder, 'chaser')[0]!.to)).toEqual([addr('responsible-manager')]);
    return d;
  }

  it('the manager’s “done” goes to the confirmers and the ladder waits; ESCALATE from the chair goes on', () => {
    const d = panel();
    const r = d.at('2026-12-02T12:00:00Z').reply('responsible-manager', 'resolved');
    expect(d.state.status).toBe('awaiting-confirmation');
    const [ask] = mailsOf(r, 'confirm-request');
    expect(emails(ask!.to)).toEqual([addr('adm'), addr('panel-chair')].sort());
    // Held two working days, then the confirmers are reminded once (and nothing else goes).
    expect(d.state.nextActionAt).toBe('2026-12-04T12:00:00.000Z');
    const reminded = d.at('2026-12-07T10:00:00Z').advance().mails;
    expect(reminded.map((m) => [m.kind, m.data])).toEqual([['confirm-request', expect.objectContaining({ reminder: true })]]);

    const esc = d.at('2026-12-08T10:00:00Z').commands([FORM, { kind: 'escalate' }], { email: addr('panel-chair') });
    expect(d.state.status).toBe('open');
    const [chaser] = mailsOf(esc, 'chaser');
    expect(emails(chaser!.to)).toEqual([addr('senior-manager')]);
    expect(emails(chaser!.cc)).toEqual([addr('adm'), addr('panel-adviser'), addr('panel-chair'), addr('responsible-manager')].sort());
    // Five working days at the top of the ladder: to the end of Mon 14 Dec.
    expect(d.step('senior-manager').deadlineAt).toBe('2026-12-14T17:00:00.000Z');
  });

  it('ESCALATE before the reminder went: the responder is not reminded, a more senior manager is asked (step 6)', () => {
    const d = new CaseDriver(ladder('fostering-panel'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...PANEL_PEOPLE) });
    // The responsible manager responds on Wed 25 Nov, before the reminder (due Mon 30 Nov) went.
    d.at('2026-11-25T11:00:00Z').reply('responsible-manager', 'resolved');
    expect(d.state.status).toBe('awaiting-confirmation');
    // The reminder to the responder (due Mon 30 Nov 09:00) is held; the confirmers are reminded on Fri 27 Nov.
    expect(
      d
        .at('2026-11-27T11:00:00Z')
        .advance()
        .mails.map((m) => m.kind),
    ).toEqual(['confirm-request']);
    expect(d.at('2026-11-30T10:00:00Z').advance().mails).toEqual([]);

    // Mon 30 Nov 14:00, before the second hold ends: the panel chair is not satisfied.
    const esc = d.at('2026-11-30T14:00:00Z').commands([FORM, { kind: 'escalate' }], { email: addr('panel-chair') });
    expect(d.state.status).toBe('open');
    const chasers = mailsOf(esc, 'chaser');
    expect(chasers).toHaveLength(1);
    expect(emails(chasers[0]!.to)).toEqual([addr('senior-manager')]);
    expect(emails(chasers[0]!.cc)).toEqual([addr('adm'), addr('panel-adviser'), addr('panel-chair'), addr('responsible-manager')].sort());
    expect(d.plan()).toEqual([
      // Held by the confirmation until the chair's answer, then set aside: the responder has answered.
      ['responsible-manager-reminder', 'skipped', '2026-11-30T14:00:00+00:00'],
      ['senior-manager', 'sent', '2026-11-30T14:00:00+00:00'],
    ]);
    // Recorded with the reason, before the escalation itself.
    const types = esc.events.map((e) => e.type);
    const skipped = esc.events.find((e) => e.type === 'skipped');
    expect(skipped).toMatchObject({
      actor: addr('panel-chair'),
      detail: { step: 1, rung: 'responsible-manager-reminder', reason: 'already-responded', responder: addr('responsible-manager') },
    });
    expect(types.indexOf('skipped')).toBeLessThan(types.indexOf('escalated'));
    // 5 working days from Mon 30 Nov: to the end of Fri 4 Dec.
    expect(d.step('senior-manager').deadlineAt).toBe('2026-12-04T17:00:00.000Z');
    const [ack] = mailsOf(esc, 'command-ack');
    expect(String(ack!.data.done[1])).toMatch(/already responded/);
  });

  it('ESCALATE out of awaiting-confirmation on a state saved before the responder was recorded', () => {
    const d = new CaseDriver(ladder('fostering-panel'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...PANEL_PEOPLE) });
    d.at('2026-11-25T11:00:00Z').reply('responsible-manager', 'resolved');
    // A case stored by an earlier version: awaiting confirmation, but no record of who responded.
    const { awaitingConfirmationFrom: _dropped, ...legacy } = d.state;
    d.state = legacy;
    const esc = d.at('2026-12-01T14:00:00Z').commands([FORM, { kind: 'escalate' }], { email: addr('adm') });
    expect(emails(mailsOf(esc, 'chaser')[0]!.to)).toEqual([addr('senior-manager')]);
    expect(d.step('responsible-manager-reminder').status).toBe('skipped');
  });

  it('RESOLVED from a confirmer closes it', () => {
    const d = panel();
    d.at('2026-12-02T12:00:00Z').reply('responsible-manager', 'resolved');
    d.at('2026-12-03T09:30:00Z').command({ kind: 'resolved' }, { email: addr('adm') });
    expect(d.state.status).toBe('resolved');
    expect(d.at('2026-12-07T10:00:00Z').advance().mails).toEqual([]);
  });

  it('an immediate safeguarding concern goes to a senior manager at once', () => {
    const d = new CaseDriver(ladder('fostering-panel'));
    const r = d.at('2026-11-23T10:00:00Z').open({ participants: people(...PANEL_PEOPLE), flags: { safeguarding: true } });
    expect(d.state.variant).toBe('urgent');
    expect(emails(mailsOf(r, 'chaser')[0]!.to)).toEqual([addr('senior-manager')]);
    // One working day: the end of the day it goes.
    expect(d.step('senior-manager').deadlineAt).toBe('2026-11-23T17:00:00.000Z');
  });
});

describe('foster carer concern', () => {
  it('keeps the foster carer informed at every stage and ends within 10 working days', () => {
    const d = new CaseDriver(ladder('foster-carer-concern'));
    d.at('2026-11-23T10:00:00Z').open({
      participants: people('team-member', 'team-member-manager', 'ssw', 'ssw-manager', 'operational-lead', 'strategic-lead', 'foster-carer'),
    });
    expect(d.plan().map(([, , at]) => at)).toEqual(['2026-11-26T09:00:00+00:00', '2026-12-01T09:00:00+00:00', '2026-12-03T09:00:00+00:00', null]);
    for (const day of ['2026-11-26', '2026-12-01', '2026-12-03']) {
      const r = d.at(`${day}T10:00:00Z`).advance();
      expect(emails(mailsOf(r, 'kept-informed')[0]!.to)).toEqual([addr('foster-carer')]);
      expect(mailsOf(r, 'step-notice')[0]!.data.duties).toContain('carer-informed');
    }
    // Stage 4 asks the Operational Lead to decide; nothing goes to the Strategic Lead by itself.
    expect(mailsOf(d.last(), 'step-notice')[0]!.data.duties).toEqual(['carer-informed', 'record', 'scope', 'operational-lead-decides']);
    expect(d.state.nextActionAt).toBeNull();
    d.at('2026-12-07T10:00:00Z').advance();
    expect(d.step('strategic-lead').status).toBe('planned');
    // The Operational Lead escalates: the RM replies ESCALATE and it goes at once, no approval asked.
    const sl = d.at('2026-12-07T10:05:00Z').command({ kind: 'escalate' });
    expect(emails(mailsOf(sl, 'chaser')[0]!.to)).toEqual([addr('strategic-lead')]);
    expect(mailsOf(sl, 'approval-request')).toHaveLength(0);
    expect(mailsOf(sl, 'kept-informed')).toHaveLength(1);
    expect(d.state.steps.every((s) => s.status === 'sent')).toBe(true);
    expect(d.state.nextActionAt).toBeNull();
  });
});

describe('the timetable people read', () => {
  it('marks a conditional rung as conditional until the case qualifies, then as due', () => {
    const plain = reg5();
    const lscp = (d: CaseDriver) => timetableRows(d.state, d.ctx()).find((row) => row.rung === 'lscp')!.atText;
    expect(lscp(plain)).toMatch(/ \(only in child protection cases\)$/);
    expect(lscp(reg5({ 'child-protection': true }))).not.toContain('only in');
  });
});
