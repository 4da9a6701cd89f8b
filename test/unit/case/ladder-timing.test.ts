/**
 * Ladder timing after holds, approvals, pauses and EXTEND: the policy's dates are the anchor, a hold
 * moves the later rungs by the held span, and every deadline is the close of the last working day
 * before the next rung goes. Expected moments were worked out by
 * hand: Europe/London is on GMT from 25 October 2026 to 28 March 2027 (so those times are also
 * UTC) and on BST (UTC+1) either side; England and Wales have bank holidays on Fri 25 Dec 2026,
 * Mon 28 Dec 2026 and Fri 1 Jan 2027; in Scotland Good Friday (26 Mar 2027) is a holiday and
 * Easter Monday (29 Mar 2027) is not.
 */
import { describe, expect, it } from 'vitest';
import type { Command } from '../../../src/domain/commands/command.js';
import { openCase } from '../../../src/domain/case/open-case.js';
import { parseCommands } from '../../../src/domain/inbound/commands.js';
import { CaseDriver, ORIGINATOR, addr, calendar, emails, ladder, mailsOf, people, reg5ChildProtectionOnWeeks } from './case-driver.js';

const REG5_PEOPLE = ['professional', 'team-manager', 'assistant-director', 'iro', 'dcs', 'ofsted-inspector', 'lscp'];
const FIRO_PEOPLE = ['ssw-team-manager', 'ssw', 'fostering-service-manager', 'head-of-service', 'foster-carer'];

/** Reg 5 opened Mon 2 Nov 2026 10:00: +2w 16 Nov, +3w 23 Nov, +4w 30 Nov, +6w 14 Dec, +8w Mon 28 Dec (holiday) → Tue 29 Dec 09:00. */
function reg5(roles = REG5_PEOPLE): CaseDriver {
  const d = new CaseDriver(ladder('childrens-home-reg5'));
  d.at('2026-11-02T10:00:00Z').open({ participants: people(...roles) });
  return d;
}

function firo(): CaseDriver {
  const d = new CaseDriver(ladder('firo-dispute-resolution'));
  d.at('2026-11-23T10:00:00Z').open({ participants: people(...FIRO_PEOPLE) });
  return d;
}

/** Every chaser, approval draft and approval request a decision produced, by rung. */
function fired(d: CaseDriver): string[] {
  const last = d.last();
  return last.mails
    .filter((m) => m.kind === 'chaser' || m.kind === 'approval-request')
    .map((m) => `${m.kind}:${d.state.steps.find((s) => s.n === m.step)!.rungId}`);
}

function pending(d: CaseDriver): [string, string | null][] {
  return d
    .plan()
    .filter(([, status]) => status === 'planned')
    .map(([rung, , at]) => [rung, at]);
}

describe('reg 5 (calendar weeks from the opening): a hold moves every later rung', () => {
  it('a promise of four weeks goes beyond the next two rungs: it holds nothing, and the RM is asked (issue 13, point 6)', () => {
    const d = reg5();
    d.at('2026-11-16T10:00:00Z').advance();
    const before = d.plan();
    // Wed 18 Nov: "by 16 December", after the team manager's rung (23 Nov) and the Assistant Director's (30 Nov).
    const decision = d.at('2026-11-18T11:00:00Z').reply('professional', 'promise', '2026-12-16');
    expect(d.state.hold).toBeUndefined();
    expect(d.plan()).toEqual(before);
    expect(decision.events.find((e) => e.type === 'promise-beyond-horizon')?.detail).toEqual({
      promisedFor: '2026-12-16',
      horizon: '2026-11-30T10:00:00.000Z',
    });
    const notice = decision.mails.find((m) => m.kind === 'reply-notice')!;
    expect(notice.data).toMatchObject({ beyondHorizon: { promisedFor: '2026-12-16', horizon: '2026-11-30T10:00:00.000Z' } });
    // The ladder goes on: the team manager is written to on 23 November as planned.
    d.at('2026-11-23T10:00:00Z').advance();
    expect(fired(d)).toEqual(['chaser:team-manager-reminder']);
  });

  it('a promise within the next two rungs holds the next one; the rest keep their spacing', () => {
    const d = reg5();
    d.at('2026-11-16T10:00:00Z').advance();
    // Wed 18 Nov: "by 26 November" (Thu). Held until Fri 27 Nov 09:00 (one working day's grace).
    d.at('2026-11-18T11:00:00Z').reply('professional', 'promise', '2026-11-26');
    expect(d.state.hold?.until).toBe('2026-11-27T09:00:00.000Z');
    // The team manager's rung (due Mon 23 Nov 10:00) is held 3 days 23 hours; so is the Assistant Director's.
    expect(pending(d).slice(0, 2)).toEqual([
      ['team-manager-reminder', '2026-11-27T09:00:00+00:00'],
      ['assistant-director', '2026-12-04T09:00:00+00:00'],
    ]);
    expect(d.at('2026-11-23T10:00:00Z').advance().mails).toEqual([]);
    d.at('2026-11-27T09:00:00Z').advance();
    expect(d.last().events.map((e) => e.type)).toEqual(expect.arrayContaining(['promise-lapsed', 'step-sent']));
    expect(fired(d)).toEqual(['chaser:team-manager-reminder']);
    // The end of the working day before the Assistant Director's rung (Fri 4 Dec 09:00).
    expect(d.step('team-manager-reminder').deadlineAt).toBe('2026-12-03T17:00:00.000Z');
  });

  it('a promise that ends before the next rung is due moves nothing', () => {
    const d = reg5();
    d.at('2026-11-16T10:00:00Z').advance();
    const before = d.plan();
    // "By Thursday": held until Fri 20 Nov 09:00, before the team manager's rung on Mon 23 Nov.
    d.at('2026-11-18T11:00:00Z').reply('professional', 'promise', '2026-11-19');
    expect(d.plan()).toEqual(before);
  });

  it('the team manager’s address supplied three weeks late: that rung goes, the rest move back by three weeks', () => {
    const d = reg5(REG5_PEOPLE.filter((r) => r !== 'team-manager'));
    d.at('2026-11-16T10:00:00Z').advance();
    d.at('2026-11-23T10:00:00Z').advance();
    expect(d.step('team-manager-reminder').status).toBe('held');
    // Nothing behind a held rung goes.
    expect(d.at('2026-11-30T10:00:00Z').advance().mails).toEqual([]);

    d.at('2026-12-14T10:00:00Z').command({
      kind: 'directive',
      directive: { kind: 'contact', role: 'team-manager', contact: { email: addr('team-manager') } },
    });
    // Only the team manager's reminder: not the Assistant Director's mail, not the DCS draft.
    expect(fired(d)).toEqual(['chaser:team-manager-reminder']);
    // Friday: the end of the last working day before the Assistant Director's rung, moved to Mon 21 Dec.
    expect(d.step('team-manager-reminder').deadlineAt).toBe('2026-12-18T17:00:00.000Z');
    expect(pending(d)).toEqual([
      ['assistant-director', '2026-12-21T10:00:00+00:00'],
      ['dcs', '2027-01-04T10:00:00+00:00'],
      ['ofsted-inspector', '2027-01-18T10:00:00+00:00'],
      ['lscp', '2027-01-18T10:00:00+00:00'],
    ]);
  });

  it('after downtime, one advance sends only the earliest overdue rung and the rest keep their spacing from it', () => {
    const d = reg5();
    d.at('2026-11-16T10:00:00Z').advance();
    // Down from before Mon 23 Nov until Wed 2 Dec 12:00: the team manager's and the AD's rungs are overdue.
    d.at('2026-12-02T12:00:00Z').advance();
    expect(fired(d)).toEqual(['chaser:team-manager-reminder']);
    expect(d.step('team-manager-reminder').deadlineAt).toBe('2026-12-08T17:00:00.000Z');
    // Moved by 9 days 2 hours, as late as the team manager's rung went.
    expect(pending(d)).toEqual([
      ['assistant-director', '2026-12-09T12:00:00+00:00'],
      ['dcs', '2026-12-23T12:00:00+00:00'],
      ['ofsted-inspector', '2027-01-06T12:00:00+00:00'],
      ['lscp', '2027-01-06T12:00:00+00:00'],
    ]);
    expect(d.state.nextActionAt).toBe('2026-12-09T12:00:00.000Z');
  });

  it('a job that runs a little late on the day moves nothing', () => {
    const d = reg5();
    d.at('2026-11-16T10:00:07Z').advance();
    expect(d.step('professional-reminder').deadlineAt).toBe('2026-11-20T17:00:00.000Z');
    expect(d.due('team-manager-reminder')).toBe('2026-11-23T10:00:00+00:00');
  });

  it('on time, the timetable is exactly the planned one and each deadline ends the working day before the next rung', () => {
    // Child protection on the standard weeks (an organisation's own reg 5 file; the shipped one runs it on the safeguarding timescales).
    const d = new CaseDriver(reg5ChildProtectionOnWeeks());
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...REG5_PEOPLE), flags: { 'child-protection': true } });
    const planned = d.plan().map(([rung, , at]) => [rung, at]);
    for (const at of ['2026-12-07', '2026-12-14', '2026-12-21', '2027-01-04']) d.at(`${at}T10:00:00Z`).advance();
    d.at('2027-01-04T10:30:00Z').command({ kind: 'approve' });
    d.at('2027-01-18T10:00:00Z').advance();
    d.at('2027-01-18T10:30:00Z').command({ kind: 'approve' });
    d.at('2027-01-18T11:00:00Z').command({ kind: 'approve' });
    expect(d.state.steps.filter((s) => s.rungId !== 'repeat').map((s) => [s.rungId, s.status])).toEqual(planned.map(([rung]) => [rung, 'sent']));
    // Every rung went when the plan said, and asked for a reply by the end of the working day before the next.
    expect(d.state.steps.filter((s) => s.rungId !== 'repeat').map((s) => [s.rungId, d.cal.iso(new Date(s.dueAt!))])).toEqual(planned);
    expect(d.state.steps.slice(0, 4).map((s) => s.deadlineAt)).toEqual([
      '2026-12-11T17:00:00.000Z',
      '2026-12-18T17:00:00.000Z',
      // Fri 1 Jan 2027 is a bank holiday: Thursday 31 December.
      '2026-12-31T17:00:00.000Z',
      '2027-01-15T17:00:00.000Z',
    ]);
    // Ten weeks from the opening, whenever on the day the LSCP letter was approved.
    expect(d.plan().at(-1)).toEqual(['repeat', 'planned', '2027-02-01T10:00:00+00:00']);
  });

  it('a rung the send window moved off a bank holiday moves nothing after it: its deadline is before the next rung’s own date', () => {
    // Opened Fri 27 Nov 17:01: the clock starts Mon 30 Nov 09:00; +4w is Mon 28 Dec (holiday), so the
    // AD is written to on Tue 29 Dec, and +6w is still Mon 11 Jan: the two-week window ends Fri 8 Jan.
    const d = new CaseDriver(ladder('childrens-home-reg5'));
    d.at('2026-11-27T17:01:00Z').open({ participants: people(...REG5_PEOPLE) });
    const planned = pending(d);
    expect(d.due('dcs')).toBe('2027-01-11T09:00:00+00:00');
    for (const at of ['2026-12-14', '2026-12-21', '2026-12-29']) d.at(`${at}T09:00:00Z`).advance();
    expect(d.step('assistant-director').deadlineAt).toBe('2027-01-08T17:00:00.000Z');
    expect(d.due('dcs')).toBe('2027-01-11T09:00:00+00:00');
    expect(pending(d)).toEqual(planned.slice(3));
    expect(d.due('ofsted-inspector')).toBe('2027-01-25T09:00:00+00:00');
  });
});

describe('a request dated weeks before it reached the inbox', () => {
  it('its first rung (due on Christmas Day) goes now and the rest keep their spacing from now', () => {
    // Dated Fri 11 Dec 10:00: +2w is Fri 25 Dec (holiday) → Tue 29 Dec 09:00, +3w Fri 1 Jan (holiday).
    // It only reaches the inbox on Wed 6 Jan 2027 at 14:00.
    const d = new CaseDriver(ladder('childrens-home-reg5'));
    d.at('2027-01-06T14:00:00Z');
    d.state = openCase(
      {
        id: 'case-1',
        ref: 'ESC-2027-0001',
        token: 'tok',
        orgId: 'org-1',
        ladderId: 'childrens-home-reg5',
        variant: 'standard',
        openedAt: new Date('2026-12-11T10:00:00Z'),
        subject: 'LAC review minutes',
        requestMessageId: '<req@home.example.org>',
        threadIds: ['<req@home.example.org>'],
        originator: ORIGINATOR,
        participants: people(...REG5_PEOPLE),
        flags: {},
        warnings: [],
        messageRef: 'msg-0',
      },
      d.ctx(),
    ).state;
    expect(d.step('professional-reminder').sentAt).toBe('2027-01-06T14:00:00.000Z');
    expect(d.step('professional-reminder').deadlineAt).toBe('2027-01-12T17:00:00.000Z');
    expect(pending(d)).toEqual([
      ['team-manager-reminder', '2027-01-13T14:00:00+00:00'],
      ['assistant-director', '2027-01-20T14:00:00+00:00'],
      ['dcs', '2027-02-03T14:00:00+00:00'],
      ['ofsted-inspector', '2027-02-17T14:00:00+00:00'],
      ['lscp', '2027-02-17T14:00:00+00:00'],
    ]);
  });
});

describe('an approval given days after the draft', () => {
  /**
   * Reg 5 up to the DCS draft, put to the RM on Mon 14 Dec 10:00. The Ofsted rung (+8w, Mon 28 Dec, a
   * holiday) goes Tue 29 Dec 09:00, so the window ends on Thu 24 Dec (Christmas and Boxing Day's substitute between).
   */
  function atDcs(): CaseDriver {
    const d = reg5();
    for (const day of ['2026-11-16', '2026-11-23', '2026-11-30', '2026-12-14']) d.at(`${day}T10:00:00Z`).advance();
    expect(d.step('dcs').status).toBe('awaiting-approval');
    expect(d.step('dcs').deadlineAt).toBe('2026-12-24T17:00:00.000Z');
    return d;
  }

  it('approved ten days later: the two-week window counts from the day it goes, and the Ofsted rung moves after it', () => {
    const d = atDcs();
    const r = d.at('2026-12-24T10:00:00Z').command({ kind: 'approve' });
    const n = d.step('dcs').n;
    expect(r.drafts).toEqual([{ kind: 'release', step: n }]);
    const [again] = mailsOf(r, 'chaser');
    expect(again).toMatchObject({ key: `s${n}-chaser`, replacesDraft: true, data: { deadlineAt: '2027-01-06T17:00:00.000Z' } });
    expect(emails(again!.to)).toEqual([addr('dcs')]);
    expect(d.step('dcs').deadlineAt).toBe('2027-01-06T17:00:00.000Z');
    expect(d.last().events.find((e) => e.type === 'step-sent')?.detail).toMatchObject({ redrafted: true, deadlineAt: '2027-01-06T17:00:00.000Z' });
    // Held ten days: the Ofsted rung moves from Mon 28 Dec 10:00 (where +8w fell) by ten days, to Thu 7 Jan.
    expect(d.due('ofsted-inspector')).toBe('2027-01-07T10:00:00+00:00');
    expect(d.due('lscp')).toBe('2027-01-07T10:00:00+00:00');
    const done = String(mailsOf(r, 'command-ack')[0]!.data.done[0]);
    expect(done).toContain('sent with its dates counted from today');
    expect(done).toContain('Monday 14 December 2026');
  });

  it('approved on a Saturday: counted from Monday’s opening, when it goes', () => {
    const d = atDcs();
    const r = d.at('2026-12-19T11:00:00Z').command({ kind: 'approve' });
    expect(mailsOf(r, 'chaser')[0]).toMatchObject({ replacesDraft: true, data: { deadlineAt: '2026-12-31T17:00:00.000Z' } });
    expect(String(mailsOf(r, 'command-ack')[0]!.data.done[0])).toMatch(/goes at Monday 21 December 2026 at 09:00, sent with its dates counted from then/);
    expect(d.due('ofsted-inspector')).toBe('2027-01-04T09:00:00+00:00');
  });

  it('approved the same day: released byte for byte, nothing moves', () => {
    const d = atDcs();
    const before = pending(d);
    const r = d.at('2026-12-14T16:30:00Z').command({ kind: 'approve' });
    expect(mailsOf(r, 'chaser')).toEqual([]);
    expect(r.drafts).toEqual([{ kind: 'release', step: d.step('dcs').n }]);
    expect(d.step('dcs').deadlineAt).toBe('2026-12-24T17:00:00.000Z');
    expect(pending(d)).toEqual(before);
  });

  it('a draft made on a Friday evening goes on Monday: approved on the Saturday, it is still as drafted', () => {
    const d = reg5();
    for (const day of ['2026-11-16', '2026-11-23', '2026-11-30']) d.at(`${day}T10:00:00Z`).advance();
    // A promise holds the DCS rung until Fri 18 Dec 09:00; the job only runs at 18:00, so the draft is for Monday.
    d.at('2026-12-01T10:00:00Z').reply('assistant-director', 'promise', '2026-12-17');
    d.at('2026-12-18T18:00:00Z').advance();
    expect(d.step('dcs').status).toBe('awaiting-approval');
    // Drafted to go on Mon 21 Dec: the Ofsted rung moves back with it, to Mon 4 Jan, so the window ends Thu 31 Dec.
    expect(d.step('dcs').deadlineAt).toBe('2026-12-31T17:00:00.000Z');
    expect(d.due('ofsted-inspector')).toBe('2027-01-04T09:00:00+00:00');
    const r = d.at('2026-12-19T11:00:00Z').command({ kind: 'approve' });
    expect(mailsOf(r, 'chaser')).toEqual([]);
    expect(d.step('dcs').deadlineAt).toBe('2026-12-31T17:00:00.000Z');
  });
});

describe('PAUSE and RESUME on a calendar ladder keep the local time across a clock change', () => {
  it('across 25 October 2026: paused Wed 21 Oct 09:00 (BST) until Wed 28 Oct 09:00 (GMT), rungs keep 09:00', () => {
    const d = new CaseDriver(ladder('childrens-home-reg5'));
    // Mon 5 Oct 2026 09:00 BST.
    d.at('2026-10-05T08:00:00Z').open({ participants: people(...REG5_PEOPLE) });
    d.at('2026-10-19T08:00:00Z').advance();
    expect(pending(d).slice(0, 2)).toEqual([
      ['team-manager-reminder', '2026-10-26T09:00:00+00:00'],
      ['assistant-director', '2026-11-02T09:00:00+00:00'],
    ]);
    d.at('2026-10-21T08:00:00Z').command({ kind: 'pause', until: '2026-10-28' });
    // Seven days by the calendar (seven days and an hour by the clock): 09:00 stays 09:00.
    expect(pending(d)).toEqual([
      ['team-manager-reminder', '2026-11-02T09:00:00+00:00'],
      ['assistant-director', '2026-11-09T09:00:00+00:00'],
      ['dcs', '2026-11-23T09:00:00+00:00'],
      ['ofsted-inspector', '2026-12-07T09:00:00+00:00'],
      ['lscp', '2026-12-07T09:00:00+00:00'],
    ]);
  });

  it('across 28 March 2027: a rung due 09:00 GMT paused a week goes at 09:00 BST; RESUME gives back the rest in local time', () => {
    const d = new CaseDriver(ladder('childrens-home-reg5'), calendar('scotland'));
    d.at('2027-03-01T09:00:00Z').open({ participants: people(...REG5_PEOPLE) });
    d.at('2027-03-15T09:00:00Z').advance();
    expect(d.due('team-manager-reminder')).toBe('2027-03-22T09:00:00+00:00');
    d.at('2027-03-17T09:00:00Z').command({ kind: 'pause', until: '2027-03-24' });
    expect(pending(d).slice(0, 3)).toEqual([
      ['team-manager-reminder', '2027-03-29T09:00:00+01:00'],
      ['assistant-director', '2027-04-05T09:00:00+01:00'],
      ['dcs', '2027-04-19T09:00:00+01:00'],
    ]);

    // Paused again from Wed 24 Mar 09:00 GMT to Wed 14 Apr 09:00 BST, resumed on Wed 31 Mar 09:00 BST:
    // three weeks by the calendar forward, two weeks back.
    d.at('2027-03-24T09:00:00Z').advance();
    d.at('2027-03-24T09:30:00Z').command({ kind: 'pause', until: '2027-04-14' });
    expect(d.due('team-manager-reminder')).toBe('2027-04-19T09:00:00+01:00');
    d.at('2027-03-31T08:00:00Z').command({ kind: 'resume' });
    expect(pending(d).slice(0, 2)).toEqual([
      ['team-manager-reminder', '2027-04-05T09:00:00+01:00'],
      ['assistant-director', '2027-04-12T09:00:00+01:00'],
    ]);
  });
});

describe('EXTEND counts in the ladder’s clock', () => {
  const extend = (text: string): Command => {
    const r = parseCommands(text, {
      roles: ['professional'],
      ladderIds: ['childrens-home-reg5'],
      reference: new Date('2026-11-24T10:00:00Z'),
      timezone: 'Europe/London',
    });
    expect(r.errors).toEqual([]);
    return r.lines[0]!.command;
  };

  it('reads plain days as the ladder’s days, and accepts working days, calendar days and weeks', () => {
    expect(extend('EXTEND 6 days')).toEqual({ kind: 'extend', by: { unit: 'd', n: 6 }, ladderClock: true });
    expect(extend('Extend by six days please')).toEqual({ kind: 'extend', by: { unit: 'd', n: 6 }, ladderClock: true });
    expect(extend('EXTEND 6 calendar days')).toEqual({ kind: 'extend', by: { unit: 'd', n: 6 } });
    expect(extend('EXTEND 1 calendar day')).toEqual({ kind: 'extend', by: { unit: 'd', n: 1 } });
    expect(extend('EXTEND 3 working days')).toEqual({ kind: 'extend', by: { unit: 'wd', n: 3 } });
    expect(extend('EXTEND 2 weeks')).toEqual({ kind: 'extend', by: { unit: 'w', n: 2 } });
  });

  it('on a working-day ladder, EXTEND 6 days is six working days; EXTEND 6 calendar days is not', () => {
    // FIRO stage 2 is due at the opening of Mon 30 Nov, the fifth working day.
    const d = firo();
    expect(d.due('stage-2-meeting')).toBe('2026-11-30T09:00:00+00:00');
    const r = d.at('2026-11-24T10:00:00Z').command(extend('EXTEND 6 days'));
    expect(d.due('stage-2-meeting')).toBe('2026-12-08T09:00:00+00:00');
    expect(String(mailsOf(r, 'command-ack')[0]!.data.done[0])).toMatch(/^Extended by 6 working days/);
    const c = firo();
    c.at('2026-11-24T10:00:00Z').command(extend('EXTEND 6 calendar days'));
    // Sun 6 Dec → Mon 7 Dec 09:00.
    expect(c.due('stage-2-meeting')).toBe('2026-12-07T09:00:00+00:00');
  });

  it('on a calendar ladder, EXTEND twice by 2 days is EXTEND once by 4, though the first lands on a Saturday', () => {
    // Reg 5 opened Thu 5 Nov 10:00: the professional's reminder is due Thu 19 Nov 10:00.
    const open = () => {
      const d = new CaseDriver(ladder('childrens-home-reg5'));
      d.at('2026-11-05T10:00:00Z').open({ participants: people(...REG5_PEOPLE) });
      return d;
    };
    const twice = open();
    twice.at('2026-11-10T10:00:00Z').command(extend('EXTEND 2 days'));
    // Sat 21 Nov → Mon 23 Nov 09:00.
    expect(twice.due('professional-reminder')).toBe('2026-11-23T09:00:00+00:00');
    twice.at('2026-11-11T10:00:00Z').command(extend('EXTEND 2 days'));
    const once = open();
    once.at('2026-11-10T10:00:00Z').command(extend('EXTEND 4 days'));
    expect(twice.due('professional-reminder')).toBe('2026-11-23T10:00:00+00:00');
    expect(twice.plan()).toEqual(once.plan());
  });

  it('on a working-day ladder, EXTEND twice by 2 is EXTEND once by 4', () => {
    const twice = firo();
    twice.at('2026-11-24T10:00:00Z').command(extend('EXTEND 2 days'));
    twice.command(extend('EXTEND 2 days'));
    const once = firo();
    once.at('2026-11-24T10:00:00Z').command(extend('EXTEND 4 days'));
    expect(twice.plan()).toEqual(once.plan());
    expect(once.due('stage-2-meeting')).toBe('2026-12-04T09:00:00+00:00');
  });
});
