/**
 * fostering-panel: working days. The responsible manager is reminded 5 working days after the
 * escalation form was sent (the 5 working days the policy gives for a response), a more senior
 * manager is asked 5 working days later. A "done" reply waits for the ADM and panel chair.
 */
import { resolutionOf } from '../../../src/domain/ladder/ladder-schema.js';
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
    expect(resolutionOf(def)).toBe('confirm');
    expect(def.confirmers).toEqual(['adm', 'panel-chair']);
  });

  it('England and Wales from Monday 21 December 2026, across Christmas and New Year', () => {
    const sim = simulate(def, 'standard', '2026-12-21T14:00:00Z', 'england-and-wales');
    expect(rows(sim)).toEqual([
      ['responsible-manager-reminder', '2026-12-30T09:00:00+00:00', ['responsible-manager'], ['panel-adviser'], false],
      ['senior-manager', '2027-01-07T09:00:00+00:00', ['senior-manager'], SENIOR_CC, false],
    ]);
    expect(sim.steps.map((s) => s.deadline)).toEqual(['5 working days', '5 working days']);
  });

  it('Scotland from the same Monday: 4 January is a holiday', () => {
    const sim = simulate(def, 'standard', '2026-12-21T14:00:00Z', 'scotland');
    expect(dueMoments(sim)).toEqual([
      ['responsible-manager-reminder', '2026-12-30T09:00:00+00:00'],
      ['senior-manager', '2027-01-08T09:00:00+00:00'],
    ]);
  });

  it('Northern Ireland from Friday 9 July 2027 (BST): the Twelfth is skipped', () => {
    const nir = simulate(def, 'standard', '2027-07-09T10:00:00Z', 'northern-ireland');
    expect(nir.clockStart).toBe('2027-07-09T11:00:00+01:00');
    expect(dueMoments(nir)).toEqual([
      ['responsible-manager-reminder', '2027-07-19T09:00:00+01:00'],
      ['senior-manager', '2027-07-26T09:00:00+01:00'],
    ]);
    const eng = simulate(def, 'standard', '2027-07-09T10:00:00Z', 'england-and-wales');
    expect(dueMoments(eng).map(([, at]) => at)).toEqual(['2027-07-16T09:00:00+01:00', '2027-07-23T09:00:00+01:00']);
  });

  it('Easter 2027 from Monday 22 March: Good Friday and Easter Monday in England, only Good Friday in Scotland', () => {
    const eng = simulate(def, 'standard', '2027-03-22T10:00:00Z', 'england-and-wales');
    // 23, 24, 25, 30, 31 March (26 Good Friday, 29 Easter Monday) → Wed 31 March, in BST from the
    // 28th, still 10:00; then 1, 2, 5, 6, 7 April → Wed 7 April.
    expect(dueMoments(eng)).toEqual([
      ['responsible-manager-reminder', '2027-03-31T09:00:00+01:00'],
      ['senior-manager', '2027-04-07T09:00:00+01:00'],
    ]);
    // Scotland works on Easter Monday: 23, 24, 25, 29, 30 → Tue 30 March; 31, 1, 2, 5, 6 → Tue 6 April.
    const sct = simulate(def, 'standard', '2027-03-22T10:00:00Z', 'scotland');
    expect(dueMoments(sct)).toEqual([
      ['responsible-manager-reminder', '2027-03-30T09:00:00+01:00'],
      ['senior-manager', '2027-04-06T09:00:00+01:00'],
    ]);
    const nir = simulate(def, 'standard', '2027-03-22T10:00:00Z', 'northern-ireland');
    expect(dueMoments(nir)).toEqual(dueMoments(eng));
  });

  it('St Andrew’s Day, Monday 30 November 2026, is a holiday in Scotland only', () => {
    const sct = simulate(def, 'standard', '2026-11-23T10:00:00Z', 'scotland');
    // 24, 25, 26, 27 November, 1 December → Tue 1 Dec; 2, 3, 4, 7, 8 → Tue 8 Dec.
    expect(dueMoments(sct)).toEqual([
      ['responsible-manager-reminder', '2026-12-01T09:00:00+00:00'],
      ['senior-manager', '2026-12-08T09:00:00+00:00'],
    ]);
    const eng = simulate(def, 'standard', '2026-11-23T10:00:00Z', 'england-and-wales');
    expect(dueMoments(eng).map(([, at]) => at)).toEqual(['2026-11-30T09:00:00+00:00', '2026-12-07T09:00:00+00:00']);
  });

  it('St Patrick’s Day, Wednesday 17 March 2027, then Easter, in Northern Ireland', () => {
    const nir = simulate(def, 'standard', '2027-03-12T14:00:00Z', 'northern-ireland');
    // 15, 16, 18, 19, 22 March → Mon 22; 23, 24, 25, 30, 31 (Good Friday, Easter Monday) → Wed 31 (BST).
    expect(dueMoments(nir)).toEqual([
      ['responsible-manager-reminder', '2027-03-22T09:00:00+00:00'],
      ['senior-manager', '2027-03-31T09:00:00+01:00'],
    ]);
    // England and Wales work on the 17th: Fri 19 March; 22, 23, 24, 25, 30 → Tue 30 March.
    const eng = simulate(def, 'standard', '2027-03-12T14:00:00Z', 'england-and-wales');
    expect(dueMoments(eng).map(([, at]) => at)).toEqual(['2027-03-19T09:00:00+00:00', '2027-03-30T09:00:00+01:00']);
  });

  it('across the autumn clock change (Sunday 25 October 2026): each rung at the opening of its working day, in GMT', () => {
    const sim = simulate(def, 'standard', '2026-10-21T14:00:00Z', 'england-and-wales');
    expect(sim.clockStart).toBe('2026-10-21T15:00:00+01:00');
    // 22, 23, 26, 27, 28 October → Wed 28; 29, 30 October, 2, 3, 4 November → Wed 4 Nov.
    expect(dueMoments(sim)).toEqual([
      ['responsible-manager-reminder', '2026-10-28T09:00:00+00:00'],
      ['senior-manager', '2026-11-04T09:00:00+00:00'],
    ]);
  });

  it('opened at 16:59 on a Friday the clock starts then; at 17:01, on Monday at 09:00 (a day later either way)', () => {
    const before = simulate(def, 'standard', '2026-12-04T16:59:00Z', 'england-and-wales');
    expect(before.clockStart).toBe('2026-12-04T16:59:00+00:00');
    expect(dueMoments(before).map(([, at]) => at)).toEqual(['2026-12-11T09:00:00+00:00', '2026-12-18T09:00:00+00:00']);
    const after = simulate(def, 'standard', '2026-12-04T17:01:00Z', 'england-and-wales');
    expect(after.clockStart).toBe('2026-12-07T09:00:00+00:00');
    expect(dueMoments(after).map(([, at]) => at)).toEqual(['2026-12-14T09:00:00+00:00', '2026-12-21T09:00:00+00:00']);
  });

  it('urgent (an immediate safeguarding concern): a senior manager at once, even on a bank holiday or at night', () => {
    const sim = simulate(def, 'urgent', '2026-11-23T10:00:00Z', 'england-and-wales');
    expect(rows(sim)).toEqual([['senior-manager', '2026-11-23T10:00:00+00:00', ['senior-manager'], SENIOR_CC, false]]);
    expect(sim.steps[0]!.deadline).toBe('1 working day');
    const holiday = simulate(def, 'urgent', '2026-12-28T10:00:00Z', 'england-and-wales');
    expect(dueMoments(holiday)).toEqual([['senior-manager', '2026-12-28T10:00:00+00:00']]);
    const night = simulate(def, 'urgent', '2026-11-23T22:15:00Z', 'england-and-wales');
    expect(dueMoments(night)).toEqual([['senior-manager', '2026-11-23T22:15:00+00:00']]);
    // The standard ladder keeps to the send window.
    expect(simulate(def, 'standard', '2026-11-23T22:15:00Z', 'england-and-wales').steps.every((s) => !s.anyHour)).toBe(true);
  });
});
