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
