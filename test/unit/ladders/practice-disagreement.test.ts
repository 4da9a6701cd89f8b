/**
 * practice-disagreement: one working day per management level (5.2); the Director only on
 * ESCALATE (5.2 and 5.5 name the Director; 3.6 names the Deputy Director), after approval. Urgent (5.3): the service manager the same day. Imminent (5.5):
 * the highest level, the Deputy Director, the same day with the PSW copied.
 */
import { describe, expect, it } from 'vitest';
import { dueMoments, expectWellFormed, loadLadder, rows, simulate } from './ladder-helpers.js';

const def = loadLadder('practice-disagreement');
const PSW = ['psw'];

describe('practice-disagreement', () => {
  it('is well formed; every level asks for a meeting and copies the PSW when PSW: yes', () => {
    expectWellFormed(def);
    expect(def.policy.file).toBe('internal-practice-escalation.txt');
    expect(def.clock).toBe('working-days');
    expect(def.request.deadline).toBe('1wd');
    expect(def.professionalRole).toBe('team-manager');
    for (const rung of def.rungs) {
      expect(rung.meeting, rung.id).toBe(true);
      expect(rung.ccWhen, rung.id).toEqual({ psw: ['psw'] });
    }
    expect(def.variants.imminent?.setsFlags).toEqual(['psw']);
  });

  it('England and Wales from Christmas Eve 2026, 15:00', () => {
    const sim = simulate(def, 'standard', '2026-12-24T15:00:00Z', 'england-and-wales');
    // The PSW is copied only when the case says `PSW: yes`: not in the plain copy list.
    expect(rows(sim)).toEqual([
      ['service-manager', '2026-12-29T09:00:00+00:00', ['service-manager'], [], false],
      ['head-of-service', '2026-12-30T09:00:00+00:00', ['head-of-service'], [], false],
      ['deputy-director', '2026-12-31T09:00:00+00:00', ['deputy-director'], [], false],
      ['director', null, ['director'], [], true],
    ]);
    expect(sim.steps.map((s) => s.ccWhen)).toEqual(Array(4).fill({ psw: PSW }));
    expect(sim.steps.map((s) => s.trigger)).toEqual(['time', 'time', 'time', 'command']);
    // The Director step has a deadline too: 5.2 gives each level up to the Director one working day.
    expect(sim.steps.map((s) => s.deadline)).toEqual(['1 working day', '1 working day', '1 working day', '1 working day']);
  });

  it('Scotland from Wednesday 30 December 2026', () => {
    const sim = simulate(def, 'standard', '2026-12-30T10:00:00Z', 'scotland');
    expect(dueMoments(sim)).toEqual([
      ['service-manager', '2026-12-31T09:00:00+00:00'],
      ['head-of-service', '2027-01-05T09:00:00+00:00'],
      ['deputy-director', '2027-01-06T09:00:00+00:00'],
      ['director', null],
    ]);
  });

  it('Northern Ireland from Tuesday 16 March 2027: St Patrick’s Day skipped', () => {
    const sim = simulate(def, 'standard', '2027-03-16T10:00:00Z', 'northern-ireland');
    expect(dueMoments(sim)).toEqual([
      ['service-manager', '2027-03-18T09:00:00+00:00'],
      ['head-of-service', '2027-03-19T09:00:00+00:00'],
      ['deputy-director', '2027-03-22T09:00:00+00:00'],
      ['director', null],
    ]);
  });

  it('each rung cites the paragraph that names its level (3.6 names the Deputy Director, 5.2 and 5.5 the Director)', () => {
    const refs = Object.fromEntries(def.rungs.map((r) => [r.id, r.policyRef]));
    expect(refs['service-manager']).toMatch(/^3\.3\b/);
    expect(refs['head-of-service']).toMatch(/^3\.4\b/);
    expect(refs['deputy-director']).toMatch(/3\.5, 3\.6\b/);
    expect(refs.director).toMatch(/^5\.2 .*5\.5/);
    expect(refs.director).not.toContain('3.6');
  });

  describe('urgent: risk of significant harm', () => {
    it('the service manager the same day, then one working day per level', () => {
      const sim = simulate(def, 'urgent', '2026-11-23T10:30:00Z', 'england-and-wales');
      expect(rows(sim)).toEqual([
        ['service-manager', '2026-11-23T10:30:00+00:00', ['service-manager'], [], false],
        ['head-of-service', '2026-11-24T09:00:00+00:00', ['head-of-service'], [], false],
        ['deputy-director', '2026-11-25T09:00:00+00:00', ['deputy-director'], [], false],
        ['director', null, ['director'], [], true],
      ]);
      expect(sim.steps.map((s) => s.ccWhen)).toEqual(Array(4).fill({ psw: PSW }));
    });

    // 5.3 "on the same day": the service manager (the organisation's own) is written to at 20:00, not
    // the next morning; the head of service still gets a whole working day after the service manager's.
    it('raised at 20:00: the service manager that evening; the next level one whole working day later', () => {
      const sim = simulate(def, 'urgent', '2026-11-23T20:00:00Z', 'england-and-wales');
      expect(dueMoments(sim).map(([, at]) => at)).toEqual(['2026-11-23T20:00:00+00:00', '2026-11-25T09:00:00+00:00', '2026-11-26T09:00:00+00:00', null]);
      expect(sim.steps.map((s) => s.anyHour ?? false)).toEqual([true, true, true, true]);
    });

    it('raised on a Friday evening in Scotland before St Andrew’s Day: that evening, then from Tuesday’s opening', () => {
      const sim = simulate(def, 'urgent', '2026-11-27T17:01:00Z', 'scotland');
      expect(dueMoments(sim).map(([, at]) => at)).toEqual(['2026-11-27T17:01:00+00:00', '2026-12-02T09:00:00+00:00', '2026-12-03T09:00:00+00:00', null]);
    });
  });

  describe('imminent risk', () => {
    it('the Deputy Director the same day, the PSW copied; the Director still only on request', () => {
      const sim = simulate(def, 'imminent', '2026-11-23T10:30:00Z', 'england-and-wales');
      expect(rows(sim)).toEqual([
        ['deputy-director', '2026-11-23T10:30:00+00:00', ['deputy-director'], PSW, false],
        ['director', null, ['director'], PSW, true],
      ]);
      expect(sim.steps.map((s) => s.ccWhen)).toEqual([undefined, undefined]);
    });

    // 5.5 "on the same day": a bank holiday is no reason to wait.
    it('raised on the Twelfth in Northern Ireland: the Deputy Director that day (BST)', () => {
      const sim = simulate(def, 'imminent', '2027-07-12T10:00:00Z', 'northern-ireland');
      expect(dueMoments(sim)).toEqual([
        ['deputy-director', '2027-07-12T11:00:00+01:00'],
        ['director', null],
      ]);
    });

    it('raised at 17:30 on Christmas Eve: the Deputy Director that evening, not five days later', () => {
      const sim = simulate(def, 'imminent', '2026-12-24T17:30:00Z', 'england-and-wales');
      expect(dueMoments(sim)).toEqual([
        ['deputy-director', '2026-12-24T17:30:00+00:00'],
        ['director', null],
      ]);
    });
  });
});
