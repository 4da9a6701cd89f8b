/**
 * childrens-home-reg5: calendar weeks from the opening (+2w, +3w, +4w, +6w, +8w, then every 2w);
 * the safeguarding variant 1–5 working days from the opening, repeating every 2 working days.
 * Expected moments worked out by hand (see test/unit/calendar for the holidays and clock changes).
 */
import { describe, expect, it } from 'vitest';
import { dueMoments, expectWellFormed, loadLadder, rows, simulate } from './ladder-helpers.js';

const def = loadLadder('childrens-home-reg5');

const PROF = ['professional'];
const TM = ['team-manager'];
const AD_CC = ['iro', 'professional', 'team-manager'];
const DCS_CC = ['assistant-director', 'iro', 'professional', 'team-manager'];

describe('childrens-home-reg5', () => {
  it('is well formed and from the template policy', () => {
    expectWellFormed(def);
    expect(def.policy.file).toBe('childrens-home-regulation5-template.txt');
    expect(def.clock).toBe('calendar');
    expect(def.from).toBe('opening');
    expect(def.request.deadline).toBe('2w');
  });

  it('England and Wales from Friday 13 March 2026: across the spring clock change and Easter', () => {
    const sim = simulate(def, 'standard', '2026-03-13T10:00:00Z', 'england-and-wales');
    expect(sim.clockStart).toBe('2026-03-13T10:00:00+00:00');
    expect(rows(sim)).toEqual([
      ['professional-reminder', '2026-03-27T10:00:00+00:00', PROF, TM, false],
      // +3w is Good Friday 3 April; Easter Monday 6 April too: Tuesday 7 April at the opening (BST).
      ['team-manager-reminder', '2026-04-07T09:00:00+01:00', TM, PROF, false],
      ['assistant-director', '2026-04-10T10:00:00+01:00', ['assistant-director'], AD_CC, false],
      ['dcs', '2026-04-24T10:00:00+01:00', ['dcs'], DCS_CC, true],
      ['ofsted-inspector', '2026-05-08T10:00:00+01:00', ['ofsted-inspector'], ['dcs', 'assistant-director'], true],
      ['lscp', '2026-05-08T10:00:00+01:00', ['lscp'], ['dcs', 'assistant-director', 'iro'], true],
      ['repeat', '2026-05-22T10:00:00+01:00', ['dcs'], DCS_CC, false],
    ]);
    expect(sim.steps.find((s) => s.rung === 'lscp')?.when).toBe('child-protection');
    expect(sim.steps.map((s) => s.deadline)).toEqual(['1 week', '1 week', '2 weeks', '2 weeks', undefined, undefined, '2 weeks']);
    expect(sim.repeatEvery).toBe('2 weeks');
  });

  it('Scotland from the same Friday: Easter Monday is a working day there', () => {
    const sim = simulate(def, 'standard', '2026-03-13T10:00:00Z', 'scotland');
    expect(dueMoments(sim)).toEqual([
      ['professional-reminder', '2026-03-27T10:00:00+00:00'],
      ['team-manager-reminder', '2026-04-06T09:00:00+01:00'],
      ['assistant-director', '2026-04-10T10:00:00+01:00'],
      ['dcs', '2026-04-24T10:00:00+01:00'],
      ['ofsted-inspector', '2026-05-08T10:00:00+01:00'],
      ['lscp', '2026-05-08T10:00:00+01:00'],
      ['repeat', '2026-05-22T10:00:00+01:00'],
    ]);
  });

  it('Northern Ireland from the same Friday matches England and Wales', () => {
    const sim = simulate(def, 'standard', '2026-03-13T10:00:00Z', 'northern-ireland');
    expect(sim.steps.find((s) => s.rung === 'team-manager-reminder')?.dueAt).toBe('2026-04-07T09:00:00+01:00');
  });

  it('from Monday 23 November 2026 across New Year: the DCS rung falls on 4 January 2027', () => {
    const eng = simulate(def, 'standard', '2026-11-23T10:00:00Z', 'england-and-wales');
    expect(dueMoments(eng)).toEqual([
      ['professional-reminder', '2026-12-07T10:00:00+00:00'],
      ['team-manager-reminder', '2026-12-14T10:00:00+00:00'],
      ['assistant-director', '2026-12-21T10:00:00+00:00'],
      ['dcs', '2027-01-04T10:00:00+00:00'],
      ['ofsted-inspector', '2027-01-18T10:00:00+00:00'],
      ['lscp', '2027-01-18T10:00:00+00:00'],
      ['repeat', '2027-02-01T10:00:00+00:00'],
    ]);
    // 4 January 2027 is Scotland's substitute for 2 January.
    const sct = simulate(def, 'standard', '2026-11-23T10:00:00Z', 'scotland');
    expect(sct.steps.find((s) => s.rung === 'dcs')?.dueAt).toBe('2027-01-05T09:00:00+00:00');
  });

  it('opened at 17:01 on a Friday: the clock starts on Monday (Tuesday in Scotland, after St Andrew’s Day)', () => {
    const eng = simulate(def, 'standard', '2026-11-27T17:01:00Z', 'england-and-wales');
    expect(eng.clockStart).toBe('2026-11-30T09:00:00+00:00');
    expect(dueMoments(eng)).toEqual([
      ['professional-reminder', '2026-12-14T09:00:00+00:00'],
      ['team-manager-reminder', '2026-12-21T09:00:00+00:00'],
      // +4w is Monday 28 December, the Boxing Day substitute.
      ['assistant-director', '2026-12-29T09:00:00+00:00'],
      ['dcs', '2027-01-11T09:00:00+00:00'],
      ['ofsted-inspector', '2027-01-25T09:00:00+00:00'],
      ['lscp', '2027-01-25T09:00:00+00:00'],
      ['repeat', '2027-02-08T09:00:00+00:00'],
    ]);
    const sct = simulate(def, 'standard', '2026-11-27T17:01:00Z', 'scotland');
    expect(sct.clockStart).toBe('2026-12-01T09:00:00+00:00');
    expect(dueMoments(sct).map(([, at]) => at)).toEqual([
      '2026-12-15T09:00:00+00:00',
      '2026-12-22T09:00:00+00:00',
      '2026-12-29T09:00:00+00:00',
      '2027-01-12T09:00:00+00:00',
      '2027-01-26T09:00:00+00:00',
      '2027-01-26T09:00:00+00:00',
      '2027-02-09T09:00:00+00:00',
    ]);
  });

  it('opened at 16:59 on a Friday: the clock starts then', () => {
    const sim = simulate(def, 'standard', '2026-11-27T16:59:00Z', 'england-and-wales');
    expect(sim.clockStart).toBe('2026-11-27T16:59:00+00:00');
    expect(sim.steps[0]!.dueAt).toBe('2026-12-11T16:59:00+00:00');
    // +4w is Friday 25 December: Tuesday 29 December at the opening.
    expect(sim.steps[2]!.dueAt).toBe('2026-12-29T09:00:00+00:00');
  });

  it('England and Wales from Friday 12 March 2027: Easter 2027 and the spring clock change on Easter Sunday', () => {
    const sim = simulate(def, 'standard', '2027-03-12T10:00:00Z', 'england-and-wales');
    expect(sim.clockStart).toBe('2027-03-12T10:00:00+00:00');
    expect(dueMoments(sim)).toEqual([
      // +2w is Good Friday 26 March; Easter Monday 29 March too: Tuesday 30 March at the opening,
      // in BST (the clocks went forward on Sunday 28 March).
      ['professional-reminder', '2027-03-30T09:00:00+01:00'],
      // Calendar weeks keep the local time: 10:00 GMT on the 12th, 10:00 BST from April.
      ['team-manager-reminder', '2027-04-02T10:00:00+01:00'],
      ['assistant-director', '2027-04-09T10:00:00+01:00'],
      ['dcs', '2027-04-23T10:00:00+01:00'],
      ['ofsted-inspector', '2027-05-07T10:00:00+01:00'],
      ['lscp', '2027-05-07T10:00:00+01:00'],
      ['repeat', '2027-05-21T10:00:00+01:00'],
    ]);
    // Easter Monday is no holiday in Scotland; Northern Ireland keeps both, as England does.
    const sct = simulate(def, 'standard', '2027-03-12T10:00:00Z', 'scotland');
    expect(sct.steps[0]!.dueAt).toBe('2027-03-29T09:00:00+01:00');
    const nir = simulate(def, 'standard', '2027-03-12T10:00:00Z', 'northern-ireland');
    expect(nir.steps[0]!.dueAt).toBe('2027-03-30T09:00:00+01:00');
  });

  it('from Monday 12 October 2026, 10:00 BST: the rungs after the autumn clock change (25 October) stay at 10:00', () => {
    const sim = simulate(def, 'standard', '2026-10-12T09:00:00Z', 'england-and-wales');
    expect(sim.clockStart).toBe('2026-10-12T10:00:00+01:00');
    expect(dueMoments(sim)).toEqual([
      ['professional-reminder', '2026-10-26T10:00:00+00:00'],
      ['team-manager-reminder', '2026-11-02T10:00:00+00:00'],
      ['assistant-director', '2026-11-09T10:00:00+00:00'],
      ['dcs', '2026-11-23T10:00:00+00:00'],
      ['ofsted-inspector', '2026-12-07T10:00:00+00:00'],
      ['lscp', '2026-12-07T10:00:00+00:00'],
      ['repeat', '2026-12-21T10:00:00+00:00'],
    ]);
  });

  it('opened on a bank holiday, New Year’s Day 2027: the clock starts Monday 4 January (Tuesday 5 in Scotland)', () => {
    const eng = simulate(def, 'standard', '2027-01-01T11:00:00Z', 'england-and-wales');
    expect(eng.clockStart).toBe('2027-01-04T09:00:00+00:00');
    expect(dueMoments(eng)).toEqual([
      ['professional-reminder', '2027-01-18T09:00:00+00:00'],
      ['team-manager-reminder', '2027-01-25T09:00:00+00:00'],
      ['assistant-director', '2027-02-01T09:00:00+00:00'],
      ['dcs', '2027-02-15T09:00:00+00:00'],
      ['ofsted-inspector', '2027-03-01T09:00:00+00:00'],
      ['lscp', '2027-03-01T09:00:00+00:00'],
      ['repeat', '2027-03-15T09:00:00+00:00'],
    ]);
    // Scotland: 2 January 2027 is a Saturday, so Monday 4 January is its substitute holiday.
    const sct = simulate(def, 'standard', '2027-01-01T11:00:00Z', 'scotland');
    expect(sct.clockStart).toBe('2027-01-05T09:00:00+00:00');
    expect(dueMoments(sct).map(([, at]) => at)).toEqual([
      '2027-01-19T09:00:00+00:00',
      '2027-01-26T09:00:00+00:00',
      '2027-02-02T09:00:00+00:00',
      '2027-02-16T09:00:00+00:00',
      '2027-03-02T09:00:00+00:00',
      '2027-03-02T09:00:00+00:00',
      '2027-03-16T09:00:00+00:00',
    ]);
  });

  describe('urgent (safeguarding)', () => {
    it('England and Wales, opened on a Friday evening: 1–5 working days from Monday, repeat every 2', () => {
      const sim = simulate(def, 'urgent', '2026-11-27T17:01:00Z', 'england-and-wales');
      expect(sim.variant).toBe('urgent');
      expect(rows(sim)).toEqual([
        ['professional-reminder', '2026-12-01T09:00:00+00:00', PROF, TM, false],
        ['team-manager-reminder', '2026-12-02T09:00:00+00:00', TM, PROF, false],
        ['assistant-director', '2026-12-03T09:00:00+00:00', ['assistant-director'], AD_CC, false],
        ['dcs', '2026-12-04T09:00:00+00:00', ['dcs'], DCS_CC, true],
        ['ofsted-inspector', '2026-12-07T09:00:00+00:00', ['ofsted-inspector'], ['dcs', 'assistant-director'], true],
        ['lscp', '2026-12-07T09:00:00+00:00', ['lscp'], ['dcs', 'assistant-director', 'iro'], true],
        ['repeat', '2026-12-09T09:00:00+00:00', ['dcs'], DCS_CC, false],
      ]);
      expect(sim.steps.map((s) => s.deadline)).toEqual([
        '1 working day',
        '1 working day',
        '1 working day',
        '1 working day',
        undefined,
        undefined,
        '2 working days',
      ]);
      expect(sim.repeatEvery).toBe('2 working days');
    });

    it('never asks in the standard weeks what the urgent timescale gives in working days', async () => {
      const { effectiveLadder } = await import('../../../src/domain/ladder/effective-ladder.js');
      const urgent = effectiveLadder(def, 'urgent');
      for (const rung of [...urgent.rungs, urgent.repeat!]) expect(rung.asks, rung.id).not.toMatch(/\bweeks?\b|fortnight/i);
      expect(urgent.rungs.find((r) => r.id === 'assistant-director')!.asks).toContain('within one working day');
      // The standard ladder keeps its own words.
      expect(effectiveLadder(def, 'standard').rungs.find((r) => r.id === 'assistant-director')!.asks).toContain('two-week window');
    });

    it('cites the policy’s safeguarding limitation, not the standard weeks, and titles the repeat for what it is', () => {
      const sim = simulate(def, 'urgent', '2026-11-23T10:00:00Z', 'england-and-wales');
      for (const step of sim.steps) {
        expect(step.policyRef, step.rung).toMatch(/^Limitations, "Where there are safeguarding concerns"/);
        expect(step.policyRef, step.rung).not.toMatch(/weeks|Fortnightly/i);
      }
      const repeat = sim.steps.find((s) => s.repeat)!;
      expect(repeat.title).toBe('Repeated email to the Director of Children’s Services');
      expect(repeat.title).not.toMatch(/fortnight/i);
      // The standard timescales are unchanged.
      const standard = simulate(def, 'standard', '2026-11-23T10:00:00Z', 'england-and-wales');
      expect(standard.steps.map((s) => s.policyRef)).toEqual([
        'Procedure, "2 weeks"',
        'Procedure, "3 weeks"',
        'Procedure, "4 weeks"',
        'Procedure, "6 weeks"',
        'Procedure, "8 weeks", Ofsted inspector',
        'Procedure, "8 weeks", child protection',
        'Procedure, "Ongoing"',
      ]);
      expect(standard.steps.at(-1)!.title).toBe('Fortnightly email to the Director of Children’s Services');
    });

    it('Scotland from the same Friday evening: St Andrew’s Day first', () => {
      const sim = simulate(def, 'urgent', '2026-11-27T17:01:00Z', 'scotland');
      expect(sim.clockStart).toBe('2026-12-01T09:00:00+00:00');
      expect(dueMoments(sim).map(([, at]) => at)).toEqual([
        '2026-12-02T09:00:00+00:00',
        '2026-12-03T09:00:00+00:00',
        '2026-12-04T09:00:00+00:00',
        '2026-12-07T09:00:00+00:00',
        '2026-12-08T09:00:00+00:00',
        '2026-12-08T09:00:00+00:00',
        '2026-12-10T09:00:00+00:00',
      ]);
    });

    it('Northern Ireland from Thursday 8 July 2027 (BST): the Twelfth, a Monday, is skipped', () => {
      const nir = simulate(def, 'urgent', '2027-07-08T09:00:00Z', 'northern-ireland');
      expect(nir.clockStart).toBe('2027-07-08T10:00:00+01:00');
      expect(dueMoments(nir)).toEqual([
        ['professional-reminder', '2027-07-09T09:00:00+01:00'],
        ['team-manager-reminder', '2027-07-13T09:00:00+01:00'],
        ['assistant-director', '2027-07-14T09:00:00+01:00'],
        ['dcs', '2027-07-15T09:00:00+01:00'],
        ['ofsted-inspector', '2027-07-16T09:00:00+01:00'],
        ['lscp', '2027-07-16T09:00:00+01:00'],
        // Two working days after Friday 16 July: Tuesday 20 July.
        ['repeat', '2027-07-20T09:00:00+01:00'],
      ]);
      // In England and Wales 12 July is a working day.
      const eng = simulate(def, 'urgent', '2027-07-08T09:00:00Z', 'england-and-wales');
      expect(dueMoments(eng).map(([, at]) => at)).toEqual([
        '2027-07-09T09:00:00+01:00',
        '2027-07-12T09:00:00+01:00',
        '2027-07-13T09:00:00+01:00',
        '2027-07-14T09:00:00+01:00',
        '2027-07-15T09:00:00+01:00',
        '2027-07-15T09:00:00+01:00',
        '2027-07-19T09:00:00+01:00',
      ]);
    });

    it('Northern Ireland from Monday 16 March 2026: St Patrick’s Day skipped', () => {
      const sim = simulate(def, 'urgent', '2026-03-16T10:00:00Z', 'northern-ireland');
      expect(dueMoments(sim).map(([, at]) => at)).toEqual([
        '2026-03-18T09:00:00+00:00',
        '2026-03-19T09:00:00+00:00',
        '2026-03-20T09:00:00+00:00',
        '2026-03-23T09:00:00+00:00',
        '2026-03-24T09:00:00+00:00',
        '2026-03-24T09:00:00+00:00',
        '2026-03-26T09:00:00+00:00',
      ]);
    });
  });
});
