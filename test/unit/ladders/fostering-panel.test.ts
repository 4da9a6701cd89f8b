/**
 * fostering-panel: working days. The responsible manager is reminded 5 working days after the
 * escalation form was sent (the 5 working days the policy gives for a response), a more senior
 * manager is asked 5 working days later. A "done" reply waits for the ADM and panel chair.
 */
import { describe, expect, it } from 'vitest';
import { dueMoments, expectWellFormed, loadLadder, rows, simulate } from './ladder-helpers.js';

const def = loadLadder('fostering-panel');
const SENIOR_CC = ['responsible-manager', 'panel-adviser', 'adm', 'panel-chair'];

describe('fostering-panel', () => {
  it('is well formed, and a response goes to the ADM and the panel chair for confirmation', () => {
    expectWellFormed(def);
    expect(def.policy.file).toBe('fostering-panel-escalation.txt');
    expect(def.clock).toBe('working-days');
    expect(def.request.deadline).toBe('5wd');
    expect(def.professionalRole).toBe('responsible-manager');
    expect(def.onRecipientDone).toBe('await-confirmation');
    expect(def.confirmers).toEqual(['adm', 'panel-chair']);
  });

  it('England and Wales from Monday 21 December 2026, across Christmas and New Year', () => {
    const sim = simulate(def, 'standard', '2026-12-21T14:00:00Z', 'england-and-wales');
    expect(rows(sim)).toEqual([
      ['responsible-manager-reminder', '2026-12-30T14:00:00+00:00', ['responsible-manager'], ['panel-adviser'], false],
      ['senior-manager', '2027-01-07T14:00:00+00:00', ['senior-manager'], SENIOR_CC, false],
    ]);
    expect(sim.steps.map((s) => s.deadline)).toEqual([undefined, '5 working days']);
  });

  it('Scotland from the same Monday: 4 January is a holiday', () => {
    const sim = simulate(def, 'standard', '2026-12-21T14:00:00Z', 'scotland');
    expect(dueMoments(sim)).toEqual([
      ['responsible-manager-reminder', '2026-12-30T14:00:00+00:00'],
      ['senior-manager', '2027-01-08T14:00:00+00:00'],
    ]);
  });

  it('Northern Ireland from Friday 9 July 2027 (BST): the Twelfth is skipped', () => {
    const nir = simulate(def, 'standard', '2027-07-09T10:00:00Z', 'northern-ireland');
    expect(nir.clockStart).toBe('2027-07-09T11:00:00+01:00');
    expect(dueMoments(nir)).toEqual([
      ['responsible-manager-reminder', '2027-07-19T11:00:00+01:00'],
      ['senior-manager', '2027-07-26T11:00:00+01:00'],
    ]);
    const eng = simulate(def, 'standard', '2027-07-09T10:00:00Z', 'england-and-wales');
    expect(dueMoments(eng).map(([, at]) => at)).toEqual(['2027-07-16T11:00:00+01:00', '2027-07-23T11:00:00+01:00']);
  });

  it('urgent (an immediate safeguarding concern): a senior manager at once; opened on a bank holiday, the next morning', () => {
    const sim = simulate(def, 'urgent', '2026-11-23T10:00:00Z', 'england-and-wales');
    expect(rows(sim)).toEqual([['senior-manager', '2026-11-23T10:00:00+00:00', ['senior-manager'], SENIOR_CC, false]]);
    expect(sim.steps[0]!.deadline).toBe('1 working day');
    const holiday = simulate(def, 'urgent', '2026-12-28T10:00:00Z', 'england-and-wales');
    expect(dueMoments(holiday)).toEqual([['senior-manager', '2026-12-29T09:00:00+00:00']]);
  });
});
