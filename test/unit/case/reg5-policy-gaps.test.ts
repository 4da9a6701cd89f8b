/**
 * Issue 15.4, reg 5: what the template policy asks that the ladder did not do. Pure, on the shipped
 * ladder, England and Wales (GMT, so local times are UTC). Monday 2 November 2026, 10:00.
 */
import { describe, expect, it } from 'vitest';
import { parseDirectives } from '../../../src/domain/inbound/directives.js';
import { CaseDriver, addr, emails, ladder, mailsOf, people } from './case-driver.js';

const REG5_PEOPLE = ['professional', 'team-manager', 'assistant-director', 'iro', 'dcs', 'ofsted-inspector', 'lscp'];

function reg5(flags: Parameters<CaseDriver['open']>[0]['flags'] = {}): CaseDriver {
  const d = new CaseDriver(ladder('childrens-home-reg5'));
  d.at('2026-11-02T10:00:00Z').open({ participants: people(...REG5_PEOPLE), flags });
  return d;
}

const parse = (text: string) =>
  parseDirectives(text, {
    roles: ['iro', 'psw', 'team-manager'],
    ladderIds: ['childrens-home-reg5'],
    reference: new Date('2026-11-02T10:00:00Z'),
    timezone: 'Europe/London',
  }).items.map((i) => i.directive);

describe('IRO: yes — "Where actions deviate from the agreed Care Plan the IRO should be informed"', () => {
  it('is a flag with yes or no, and still names the IRO when given an address', () => {
    expect(parse('IRO: yes')).toEqual([{ kind: 'flag', flag: 'iro', value: true }]);
    expect(parse('IRO: no')).toEqual([{ kind: 'flag', flag: 'iro', value: false }]);
    expect(parse('IRO: Kim Osei <kim.osei@northshire.gov.uk>')).toEqual([
      { kind: 'contact', role: 'iro', contact: { name: 'Kim Osei', email: 'kim.osei@northshire.gov.uk' } },
    ]);
  });

  it('copies the IRO on the first reminder and the team manager’s; without it the IRO is first copied at the AD’s step', () => {
    const plain = reg5();
    const first = mailsOf(plain.at('2026-11-16T10:00:00Z').advance(), 'chaser')[0]!;
    expect(emails(first.cc)).not.toContain(addr('iro'));

    const informed = reg5({ iro: true });
    const one = mailsOf(informed.at('2026-11-16T10:00:00Z').advance(), 'chaser')[0]!;
    expect(emails(one.to)).toEqual([addr('professional')]);
    expect(emails(one.cc)).toContain(addr('iro'));
    const two = mailsOf(informed.at('2026-11-23T10:00:00Z').advance(), 'chaser')[0]!;
    expect(emails(two.to)).toEqual([addr('team-manager')]);
    expect(emails(two.cc)).toContain(addr('iro'));
  });

  it('set later by the RM’s directive, copies the IRO from the next step on', () => {
    const d = reg5();
    d.at('2026-11-16T10:00:00Z').advance();
    d.at('2026-11-17T10:00:00Z').command({ kind: 'directive', directive: { kind: 'flag', flag: 'iro', value: true } });
    expect(d.state.flags.iro).toBe(true);
    expect(d.state.variant).toBe('standard');
    const two = mailsOf(d.at('2026-11-23T10:00:00Z').advance(), 'chaser')[0]!;
    expect(emails(two.cc)).toContain(addr('iro'));
  });
});

describe('Child protection: yes — a child protection issue is a safeguarding concern', () => {
  it('runs on the safeguarding timescales from the opening: the LSCP in the fifth working day, not at 8 weeks', () => {
    const d = reg5({ 'child-protection': true });
    expect(d.state.variant).toBe('urgent');
    expect(d.state.flags['child-protection']).toBe(true);
    expect(d.state.flags.safeguarding).toBe(true);
    expect(d.plan()).toEqual([
      ['professional-reminder', 'planned', '2026-11-03T09:00:00+00:00'],
      ['team-manager-reminder', 'planned', '2026-11-04T09:00:00+00:00'],
      ['assistant-director', 'planned', '2026-11-05T09:00:00+00:00'],
      ['dcs', 'planned', '2026-11-06T09:00:00+00:00'],
      ['ofsted-inspector', 'planned', '2026-11-09T09:00:00+00:00'],
      ['lscp', 'planned', '2026-11-09T09:00:00+00:00'],
    ]);
  });

  it('said after the opening, moves the case to the safeguarding timescales from then', () => {
    const d = reg5();
    d.at('2026-11-16T10:00:00Z').advance();
    const r = d.at('2026-11-17T10:00:00Z').command({ kind: 'directive', directive: { kind: 'flag', flag: 'child-protection', value: true } });
    expect(d.state.variant).toBe('urgent');
    expect(d.state.flags['child-protection']).toBe(true);
    expect(r.events.map((e) => e.type)).toEqual(expect.arrayContaining(['flag-set', 'variant-switched']));
    // The team manager one working day after the switch, the LSCP four after that.
    expect(d.due('team-manager-reminder')).toBe('2026-11-18T09:00:00+00:00');
    expect(d.due('lscp')).toBe('2026-11-23T09:00:00+00:00');
  });

  it('"Child protection: no" changes nothing', () => {
    const d = reg5();
    d.at('2026-11-03T10:00:00Z').command({ kind: 'directive', directive: { kind: 'flag', flag: 'child-protection', value: false } });
    expect(d.state.variant).toBe('standard');
    expect(d.due('lscp')).toBe('2026-12-29T09:00:00+00:00');
  });
});

describe('Due: before the policy’s dates — "all the steps may need to be taken prior to the time of the visit"', () => {
  /** Monday 23 November 2026, 10:00; the family time is on Friday 11 December. */
  function dueBefore(due = '2026-12-11', def = ladder('childrens-home-reg5')): CaseDriver {
    const d = new CaseDriver(def);
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...REG5_PEOPLE), requestedBy: due });
    return d;
  }

  it('draws every rung in, in order and in proportion, onto the working days before the date', () => {
    const d = dueBefore();
    expect(d.state.drawnInBefore).toBe('2026-12-11');
    // Thirteen working days from Tuesday 24 November to Thursday 10 December; the policy's 2, 3, 4, 6
    // and 8 weeks fall on the 4th, 5th, 7th, 10th and 13th of them.
    expect(d.plan()).toEqual([
      ['professional-reminder', 'planned', '2026-11-27T09:00:00+00:00'],
      ['team-manager-reminder', 'planned', '2026-11-30T09:00:00+00:00'],
      ['assistant-director', 'planned', '2026-12-02T09:00:00+00:00'],
      ['dcs', 'planned', '2026-12-07T09:00:00+00:00'],
      ['ofsted-inspector', 'planned', '2026-12-10T09:00:00+00:00'],
      ['lscp', 'planned', '2026-12-10T09:00:00+00:00'],
    ]);
    // The request's own deadline is the working day before the first reminder.
    expect(d.state.requestDeadlineAt).toBe('2026-11-26T17:00:00.000Z');
  });

  it('walked with no replies: every step goes before the date, each asking for it by the day before the next', () => {
    const d = dueBefore();
    for (const at of ['2026-11-27', '2026-11-30', '2026-12-02']) d.at(`${at}T09:00:00Z`).advance();
    d.at('2026-12-07T09:00:00Z').advance();
    d.at('2026-12-07T09:30:00Z').command({ kind: 'approve' });
    d.at('2026-12-10T09:00:00Z').advance();
    d.at('2026-12-10T09:30:00Z').command({ kind: 'approve' });
    const sent = d.state.steps.filter((s) => s.status === 'sent' && s.rungId !== 'repeat');
    expect(sent.map((s) => s.rungId)).toEqual(['professional-reminder', 'team-manager-reminder', 'assistant-director', 'dcs', 'ofsted-inspector']);
    for (const s of sent) expect(d.cal.localDate(new Date(s.sentAt!)) < '2026-12-11', s.rungId).toBe(true);
    expect(sent.slice(0, 4).map((s) => s.deadlineAt)).toEqual([
      '2026-11-27T17:00:00.000Z',
      '2026-12-01T17:00:00.000Z',
      '2026-12-04T17:00:00.000Z',
      '2026-12-09T17:00:00.000Z',
    ]);
    expect(d.step('lscp').status).toBe('not-applicable');
  });

  it('a date after the policy’s last rung, or not after the opening day, moves nothing', () => {
    const plain = new CaseDriver(ladder('childrens-home-reg5'));
    plain.at('2026-11-23T10:00:00Z').open({ participants: people(...REG5_PEOPLE) });
    for (const due of ['2027-02-01', '2026-11-23', '2026-11-20']) {
      const d = dueBefore(due);
      expect(d.plan(), due).toEqual(plain.plan());
      expect(d.state.drawnInBefore, due).toBeUndefined();
    }
  });

  it('the next day: everything still planned goes at once, from the opening', () => {
    const d = dueBefore('2026-11-24');
    expect(d.plan().map(([, , at]) => at)).toEqual(Array(6).fill('2026-11-23T10:00:00+00:00'));
  });

  it('a ladder whose policy does not ask for it only records the date', () => {
    const d = dueBefore('2026-11-26', ladder('practice-disagreement'));
    expect(d.state.requestedBy).toBe('2026-11-26');
    expect(d.state.drawnInBefore).toBeUndefined();
  });

  it('a promise for the day it is needed by, or later, holds nothing: the steps stay before it, and the RM is told why', () => {
    const d = dueBefore();
    const before = d.plan();
    d.at('2026-11-27T09:00:00Z').advance();
    const r = d.at('2026-11-27T11:00:00Z').reply('professional', 'promise', '2026-12-14');
    expect(d.state.hold).toBeUndefined();
    expect(d.plan().slice(1)).toEqual(before.slice(1));
    expect(r.events.find((e) => e.type === 'promise-after-due')?.detail).toEqual({ promisedFor: '2026-12-14', due: '2026-12-11' });
    const notice = mailsOf(r, 'reply-notice')[0]!;
    expect(notice.data).toMatchObject({ afterDue: { promisedFor: '2026-12-14', due: '2026-12-11' } });
    expect(notice.data).not.toHaveProperty('promiseHoldsNothing');
  });

  it('a promise before it holds the next step, but what the hold pushes past the date is drawn in again', () => {
    const d = dueBefore();
    d.at('2026-11-27T09:00:00Z').advance();
    // Promised for Tuesday 1 December: held until a working day after it (the grace); moved by the
    // held span, the Ofsted inspector's step would fall after Friday 11 December.
    d.at('2026-11-27T11:00:00Z').reply('professional', 'promise', '2026-12-01');
    expect(d.state.hold?.promisedFor).toBe('2026-12-01');
    const planned = d.plan().filter(([, status]) => status === 'planned');
    expect(planned.length).toBeGreaterThan(0);
    for (const [rung, , at] of planned) expect(at! < '2026-12-11', rung).toBe(true);
    // Nothing goes before the hold ends.
    for (const [rung, , at] of planned) expect(new Date(at!).getTime() >= new Date(d.state.hold!.until).getTime(), rung).toBe(true);
  });

  it('without a date it is needed by, a promise holds and moves the later steps as before', () => {
    const plain = new CaseDriver(ladder('childrens-home-reg5'));
    plain.at('2026-11-23T10:00:00Z').open({ participants: people(...REG5_PEOPLE) });
    plain.at('2026-12-07T09:00:00Z').advance();
    const before = plain.plan();
    plain.at('2026-12-07T11:00:00Z').reply('professional', 'promise', '2026-12-10');
    expect(plain.state.hold?.promisedFor).toBe('2026-12-10');
    expect(plain.plan()).not.toEqual(before);
  });

  it('given later as a directive, draws in the steps not yet taken and says so', () => {
    const d = new CaseDriver(ladder('childrens-home-reg5'));
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...REG5_PEOPLE) });
    d.at('2026-12-07T10:00:00Z').advance();
    const r = d.at('2026-12-08T10:00:00Z').command({ kind: 'directive', directive: { kind: 'due', date: '2026-12-18' } });
    const ack = mailsOf(r, 'command-ack')[0]!;
    expect(JSON.stringify(ack.data)).toContain('brought forward so that each is taken before then');
    // Seven working days, Wednesday 9 to Thursday 17 December. From the directive (Tuesday 8 December,
    // 10:00) the policy put the team manager 6 days on, the AD 13, the DCS 27 and the 8-week steps
    // 41: the 2nd (6/41 of 7, rounded up), 3rd, 5th and 7th of those days.
    expect(d.plan().filter(([, status]) => status === 'planned')).toEqual([
      ['team-manager-reminder', 'planned', '2026-12-10T09:00:00+00:00'],
      ['assistant-director', 'planned', '2026-12-11T09:00:00+00:00'],
      ['dcs', 'planned', '2026-12-15T09:00:00+00:00'],
      ['ofsted-inspector', 'planned', '2026-12-17T09:00:00+00:00'],
      ['lscp', 'planned', '2026-12-17T09:00:00+00:00'],
    ]);
    // The acknowledgement tells the RM which dates moved.
    expect(ack.moved?.steps.map((m) => m.rungId)).toEqual(expect.arrayContaining(['team-manager-reminder', 'dcs']));
  });

  it('simulate --due prints the timetable the case follows', async () => {
    const { simulateLadder } = await import('../../../src/domain/ladder/simulate.js');
    const d = dueBefore();
    const sim = simulateLadder(d.def, 'standard', new Date('2026-11-23T10:00:00Z'), d.cal, { due: '2026-12-11' });
    expect(sim.drawnInBefore).toBe('2026-12-11');
    expect(sim.steps.filter((s) => !s.repeat).map((s) => s.dueAt)).toEqual(d.plan().map(([, , at]) => at));
  });
});
