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
    // Stage 3 and the legal/Ofsted notice follow only if the meeting brought no resolution.
    expect(def.holdForMeetings).toBe(true);
    expect(def.variants).toEqual({});
  });

  it('England and Wales from Friday 23 October 2026, 16:00 BST: across the autumn clock change, each stage at the opening of its day', () => {
    const sim = simulate(def, 'standard', '2026-10-23T15:00:00Z', 'england-and-wales');
    expect(sim.clockStart).toBe('2026-10-23T16:00:00+01:00');
    expect(rows(sim)).toEqual([
      ['stage-2-meeting', '2026-10-30T09:00:00+00:00', ['fostering-service-manager'], ['ssw', 'ssw-team-manager'], false],
      ['stage-3-head-of-service', '2026-11-06T09:00:00+00:00', ['head-of-service'], STAGE3_CC, false],
      ['legal-advice-or-ofsted', '2026-11-13T09:00:00+00:00', ['head-of-service'], STAGE3_CC, true],
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
    expect(dueMoments(eng).map(([, at]) => at)).toEqual(['2026-11-30T09:00:00+00:00', '2026-12-07T09:00:00+00:00', '2026-12-14T09:00:00+00:00']);
  });

  it('Northern Ireland from Monday 6 July 2026: the Twelfth’s substitute, Monday 13 July', () => {
    const sim = simulate(def, 'standard', '2026-07-06T10:00:00Z', 'northern-ireland');
    expect(dueMoments(sim).map(([, at]) => at)).toEqual(['2026-07-14T09:00:00+01:00', '2026-07-21T09:00:00+01:00', '2026-07-28T09:00:00+01:00']);
  });

  it('Christmas and New Year 2026–27 from Monday 21 December: 4 January is Scotland’s substitute for 2 January', () => {
    // 22, 23, 24, 29, 30 December (25 and the Boxing Day substitute 28 off) → Wed 30 Dec;
    // then 31 December, 4, 5, 6, 7 January (1 January off) → Thu 7 Jan; then 8, 11, 12, 13, 14 → Thu 14 Jan.
    const eng = simulate(def, 'standard', '2026-12-21T11:00:00Z', 'england-and-wales');
    expect(dueMoments(eng)).toEqual([
      ['stage-2-meeting', '2026-12-30T09:00:00+00:00'],
      ['stage-3-head-of-service', '2027-01-07T09:00:00+00:00'],
      ['legal-advice-or-ofsted', '2027-01-14T09:00:00+00:00'],
    ]);
    // Scotland: 2 January 2027 is a Saturday, its holiday moves to Monday 4 January:
    // 31 December, 5, 6, 7, 8 January → Fri 8 Jan; 11–15 → Fri 15 Jan.
    const sct = simulate(def, 'standard', '2026-12-21T11:00:00Z', 'scotland');
    expect(dueMoments(sct)).toEqual([
      ['stage-2-meeting', '2026-12-30T09:00:00+00:00'],
      ['stage-3-head-of-service', '2027-01-08T09:00:00+00:00'],
      ['legal-advice-or-ofsted', '2027-01-15T09:00:00+00:00'],
    ]);
    const nir = simulate(def, 'standard', '2026-12-21T11:00:00Z', 'northern-ireland');
    expect(dueMoments(nir)).toEqual(dueMoments(eng));
  });

  it('opened at 16:59 the clock starts then; at 17:01, at 09:00 the next working day', () => {
    const before = simulate(def, 'standard', '2026-11-23T16:59:00Z', 'england-and-wales');
    expect(before.clockStart).toBe('2026-11-23T16:59:00+00:00');
    expect(dueMoments(before).map(([, at]) => at)).toEqual(['2026-11-30T09:00:00+00:00', '2026-12-07T09:00:00+00:00', '2026-12-14T09:00:00+00:00']);
    const after = simulate(def, 'standard', '2026-11-23T17:01:00Z', 'england-and-wales');
    expect(after.clockStart).toBe('2026-11-24T09:00:00+00:00');
    expect(dueMoments(after).map(([, at]) => at)).toEqual(['2026-12-01T09:00:00+00:00', '2026-12-08T09:00:00+00:00', '2026-12-15T09:00:00+00:00']);
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
