/**
 * firo-dispute-resolution: working days, each step 5 working days after the one before (the
 * policy's response and meeting-confirmation times), the last one stating a 3-working-day notice.
 * Copy lists are the policy's: stage 2 the SSW and TM; stage 3 and the legal/Ofsted notice the
 * FSM, the SSW and the TM.
 */
import { describe, expect, it } from 'vitest';
import { dueMoments, expectWellFormed, loadLadder, rows, simulate } from './ladder-helpers.js';

const def = loadLadder('firo-dispute-resolution');
const STAGE3_CC = ['fostering-service-manager', 'ssw', 'ssw-team-manager'];

describe('firo-dispute-resolution', () => {
  it('is well formed; stages 2 and 3 ask for a meeting; the foster carer is kept informed', () => {
    expectWellFormed(def);
    expect(def.policy.file).toBe('firo-dispute-resolution.txt');
    expect(def.clock).toBe('working-days');
    expect(def.request.deadline).toBe('5wd');
    expect(def.professionalRole).toBe('ssw-team-manager');
    expect(def.keepInformed).toEqual(['foster-carer']);
    expect(def.rungs.map((r) => r.meeting)).toEqual([true, true, false]);
    expect(def.variants).toEqual({});
  });

  it('England and Wales from Friday 23 October 2026, 16:00 BST: across the autumn clock change', () => {
    const sim = simulate(def, 'standard', '2026-10-23T15:00:00Z', 'england-and-wales');
    expect(sim.clockStart).toBe('2026-10-23T16:00:00+01:00');
    expect(rows(sim)).toEqual([
      ['stage-2-meeting', '2026-10-30T16:00:00+00:00', ['fostering-service-manager'], ['ssw', 'ssw-team-manager'], false],
      ['stage-3-head-of-service', '2026-11-06T16:00:00+00:00', ['head-of-service'], STAGE3_CC, false],
      ['legal-advice-or-ofsted', '2026-11-13T16:00:00+00:00', ['head-of-service'], STAGE3_CC, true],
    ]);
    expect(sim.steps.map((s) => s.deadline)).toEqual(['5 working days', '5 working days', '3 working days']);
  });

  it('Scotland and England from Monday 23 November 2026: St Andrew’s Day', () => {
    const sct = simulate(def, 'standard', '2026-11-23T09:00:00Z', 'scotland');
    expect(dueMoments(sct)).toEqual([
      ['stage-2-meeting', '2026-12-01T09:00:00+00:00'],
      ['stage-3-head-of-service', '2026-12-08T09:00:00+00:00'],
      ['legal-advice-or-ofsted', '2026-12-15T09:00:00+00:00'],
    ]);
    const eng = simulate(def, 'standard', '2026-11-23T09:00:00Z', 'england-and-wales');
    expect(dueMoments(eng).map(([, at]) => at)).toEqual([
      '2026-11-30T09:00:00+00:00',
      '2026-12-07T09:00:00+00:00',
      '2026-12-14T09:00:00+00:00',
    ]);
  });

  it('Northern Ireland from Monday 6 July 2026: the Twelfth’s substitute, Monday 13 July', () => {
    const sim = simulate(def, 'standard', '2026-07-06T10:00:00Z', 'northern-ireland');
    expect(dueMoments(sim).map(([, at]) => at)).toEqual([
      '2026-07-14T11:00:00+01:00',
      '2026-07-21T11:00:00+01:00',
      '2026-07-28T11:00:00+01:00',
    ]);
  });

  it('copies no one the policy does not name (not the FIRO team manager, not the Safeguarding and Reviewing SM)', () => {
    for (const rung of def.rungs) {
      expect(rung.cc).not.toContain('firo-team-manager');
      expect(rung.cc).not.toContain('safeguarding-reviewing-manager');
    }
  });

  it('has no urgent timescales to simulate', () => {
    expect(() => simulate(def, 'urgent', '2026-11-23T09:00:00Z', 'england-and-wales')).toThrow(/no urgent variant/);
  });
});
