/**
 * foster-carer-concern: working days, each stage counted from the one before: stage 2 three working
 * days after the opening (stage 1's 3 working days), stage 3 three after that, stage 4 two after,
 * the Strategic Lead two after: the whole ladder within the policy's 10 working days.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { NATIONS } from '../../../src/domain/calendar/nation.js';
import { calendar, dueMoments, expectWellFormed, loadLadder, rows, simulate } from './ladder-helpers.js';

const def = loadLadder('foster-carer-concern');

describe('foster-carer-concern', () => {
  it('is well formed, keeps the foster carer informed and has no urgent variant (the policy leaves safeguarding to its own procedures)', () => {
    expectWellFormed(def);
    expect(def.policy.file).toBe('foster-carers-escalation.txt');
    expect(def.clock).toBe('working-days');
    expect(def.request.deadline).toBe('3wd');
    expect(def.professionalRole).toBe('team-member');
    expect(def.keepInformed).toEqual(['foster-carer']);
    expect(def.alwaysCc).toEqual(['originator']);
    expect(def.variants).toEqual({});
    expect(def.repeat).toBeUndefined();
    expect(def.rungs.every((r) => r.duties.includes('carer-informed'))).toBe(true);
  });

  it('England and Wales from Christmas Eve 2026', () => {
    const sim = simulate(def, 'standard', '2026-12-24T11:00:00Z', 'england-and-wales');
    expect(rows(sim)).toEqual([
      ['line-managers', '2026-12-31T09:00:00+00:00', ['team-member-manager'], ['ssw-manager', 'ssw'], false],
      ['operational-lead', '2027-01-06T09:00:00+00:00', ['operational-lead'], ['ssw-manager', 'ssw'], false],
      ['not-resolved', '2027-01-08T09:00:00+00:00', ['operational-lead'], ['ssw-manager'], false],
      // Stage 4 is the Operational Lead's decision: the Strategic Lead only on ESCALATE, no approval.
      ['strategic-lead', null, ['strategic-lead'], ['operational-lead', 'ssw-manager'], false],
    ]);
    expect(sim.steps.map((s) => s.deadline)).toEqual(['3 working days', '2 working days', '2 working days', undefined]);
    expect(sim.steps.map((s) => s.trigger)).toEqual(['time', 'time', 'time', 'command']);
  });

  it('Scotland from Christmas Eve 2026: 1 and 4 January are holidays', () => {
    const sim = simulate(def, 'standard', '2026-12-24T11:00:00Z', 'scotland');
    expect(dueMoments(sim)).toEqual([
      ['line-managers', '2026-12-31T09:00:00+00:00'],
      ['operational-lead', '2027-01-07T09:00:00+00:00'],
      ['not-resolved', '2027-01-11T09:00:00+00:00'],
      ['strategic-lead', null],
    ]);
  });

  it('Northern Ireland from Christmas Eve 2026 matches England and Wales', () => {
    const sim = simulate(def, 'standard', '2026-12-24T11:00:00Z', 'northern-ireland');
    expect(dueMoments(sim).map(([, at]) => at)).toEqual(['2026-12-31T09:00:00+00:00', '2027-01-06T09:00:00+00:00', '2027-01-08T09:00:00+00:00', null]);
  });

  it('opened at 16:59 on Friday 27 November 2026: St Andrew’s Day counts in Scotland only', () => {
    const eng = simulate(def, 'standard', '2026-11-27T16:59:00Z', 'england-and-wales');
    expect(dueMoments(eng).map(([, at]) => at)).toEqual(['2026-12-02T09:00:00+00:00', '2026-12-07T09:00:00+00:00', '2026-12-09T09:00:00+00:00', null]);
    const sct = simulate(def, 'standard', '2026-11-27T16:59:00Z', 'scotland');
    expect(dueMoments(sct).map(([, at]) => at)).toEqual(['2026-12-03T09:00:00+00:00', '2026-12-08T09:00:00+00:00', '2026-12-10T09:00:00+00:00', null]);
  });

  it('opened at 17:01 on the same Friday in Scotland: the clock starts Tuesday morning', () => {
    const sct = simulate(def, 'standard', '2026-11-27T17:01:00Z', 'scotland');
    expect(sct.clockStart).toBe('2026-12-01T09:00:00+00:00');
    expect(dueMoments(sct).map(([, at]) => at)).toEqual(['2026-12-04T09:00:00+00:00', '2026-12-09T09:00:00+00:00', '2026-12-11T09:00:00+00:00', null]);
  });

  it('the whole ladder takes at most 10 working days, wherever and whenever it starts', () => {
    // Every weekday from November 2026 to January 2027, at 10:00 and 16:59 local, in each nation.
    for (const nation of NATIONS) {
      const cal = calendar(nation);
      for (
        let d = DateTime.fromISO('2026-11-02T10:00', { zone: 'Europe/London' });
        d < DateTime.fromISO('2027-02-01', { zone: 'Europe/London' });
        d = d.plus({ days: 1 })
      ) {
        for (const start of [d, d.set({ hour: 16, minute: 59 })]) {
          const sim = simulate(def, 'standard', start.toUTC().toISO()!, nation);
          const last = sim.steps.at(-1)!;
          const span = cal.workingDaysBetween(new Date(sim.clockStart), new Date(last.dueAt!));
          expect(span, `${nation} from ${start.toISO()}`).toBeLessThanOrEqual(10);
        }
      }
    }
  });
});
