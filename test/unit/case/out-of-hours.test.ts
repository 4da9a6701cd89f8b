/**
 * Issue 15.3, the out-of-hours address: on the variants whose policy says "on the same day" or
 * "immediately" (practice disagreement 5.3 and 5.5, the fostering panel's immediate-safeguarding
 * route), a rung that goes while the send window is closed is also written, at once, to the
 * organisation's out-of-hours address (the Emergency Duty Team, from the directory). Everywhere
 * else nothing changes. Europe/London is on GMT in December, so these times are also UTC; 25 and
 * 28 December 2026 are bank holidays.
 */
import { describe, expect, it } from 'vitest';
import { outOfHoursRoute } from '../../../src/domain/case/out-of-hours.js';
import { timetableRows } from '../../../src/domain/case/timetable-view.js';
import type { Directory } from '../../../src/domain/directory.js';
import { effectiveLadder } from '../../../src/domain/ladder/effective-ladder.js';
import { checkLadder } from '../../../src/domain/ladder/ladder-check.js';
import type { LadderDefinition } from '../../../src/domain/ladder/ladder-schema.js';
import { ladderTables } from '../../../src/domain/ladder/ladder-table.js';
import { simulateLadder } from '../../../src/domain/ladder/simulate.js';
import { CaseDriver, addr, calendar, emails, ladder, mailsOf, people } from './case-driver.js';

const STAFF = ['home.example.org', 'la.example.gov.uk'];
const PRACTICE = ['team-manager', 'service-manager', 'head-of-service', 'deputy-director', 'director', 'psw'];
const EDT = { name: 'Emergency Duty Team', email: 'edt@la.example.gov.uk' };
/** The organisation's out-of-hours address, as config/directory.yaml gives it. */
const DIRECTORY: Directory = { authorities: [], organisations: { 'org-1': { 'emergency-duty-team': EDT } } };
const CHRISTMAS_EVE_1730 = '2026-12-24T17:30:00Z';

function practice(
  variant: 'standard' | 'urgent' | 'imminent',
  at: string,
  opts: { directory?: Directory; domains?: string[]; def?: LadderDefinition } = {},
): CaseDriver {
  const d = new CaseDriver(opts.def ?? ladder('practice-disagreement'), undefined, opts.directory ?? DIRECTORY, opts.domains ?? STAFF);
  d.at(at).open({ participants: people(...PRACTICE), variant });
  return d;
}

/** The practice-disagreement ladder with its imminent variant's out-of-hours address set to `instead`. */
function practiceInstead(): LadderDefinition {
  const def = ladder('practice-disagreement');
  const imminent = def.variants.imminent!;
  return { ...def, variants: { ...def.variants, imminent: { ...imminent, outOfHours: { to: 'emergency-duty-team', mode: 'instead' } } } };
}

describe('the out-of-hours address (the Emergency Duty Team)', () => {
  it('an imminent-risk case raised at 17:30 on Christmas Eve: the EDT is written to at once, and the Deputy Director too (in addition)', () => {
    const d = practice('imminent', CHRISTMAS_EVE_1730);
    const [ooh] = mailsOf(d.last(), 'out-of-hours');
    expect(ooh).toBeDefined();
    expect(emails(ooh!.to)).toEqual([EDT.email]);
    expect(ooh!.cc).toEqual([]);
    expect(ooh!.timing).toBe('now');
    expect(ooh!.data).toMatchObject({ rungId: 'deputy-director', role: 'emergency-duty-team', mode: 'in-addition', daytimeAt: '2026-12-24T17:30:00.000Z' });
    // The request's documents go with it, as to anyone new up the ladder.
    expect(ooh!.forward).toEqual({ message: 'msg-0' });
    const [chaser] = mailsOf(d.last(), 'chaser');
    expect(emails(chaser!.to)).toEqual([addr('deputy-director')]);
    expect(chaser!.timing).toBe('now');
    const step = d.step('deputy-director');
    expect(step.sentAt).toBe('2026-12-24T17:30:00.000Z');
    expect(step.outOfHoursTo).toEqual([EDT.email]);
    // The RM's step notice says who was written to out of hours.
    const [notice] = mailsOf(d.last(), 'step-notice');
    expect(notice!.data.outOfHours).toEqual({ role: 'emergency-duty-team', mode: 'in-addition', to: [EDT.email] });
  });

  it('the same moment on a standard case: nothing goes out of hours, and the first rung waits for its working day', () => {
    const d = practice('standard', CHRISTMAS_EVE_1730);
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
    expect(mailsOf(d.last(), 'chaser')).toEqual([]);
    // One working day after the next opening (Tuesday 29 December): Wednesday 30 December at 09:00.
    expect(d.due('service-manager')).toBe('2026-12-30T09:00:00+00:00');
    d.at('2026-12-30T09:00:00Z').advance();
    expect(d.step('service-manager').sentAt).toBe('2026-12-30T09:00:00.000Z');
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
    expect(d.step('service-manager').outOfHoursTo).toBeUndefined();
  });

  it('ESCALATE at night on a standard case sends the next level at once, but to nobody out of hours (5.2 gives working days)', () => {
    const d = practice('standard', '2026-11-23T10:00:00Z');
    d.at('2026-11-23T19:05:00Z').command({ kind: 'escalate' } as never);
    expect(d.step('service-manager').sentAt).toBe('2026-11-23T19:05:00.000Z');
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
  });

  it('urgent (5.3) at 20:00: the service manager and the EDT that evening', () => {
    const d = practice('urgent', '2026-11-23T20:00:00Z');
    expect(d.step('service-manager').sentAt).toBe('2026-11-23T20:00:00.000Z');
    const [ooh] = mailsOf(d.last(), 'out-of-hours');
    expect(emails(ooh!.to)).toEqual([EDT.email]);
    expect(ooh!.data.rungId).toBe('service-manager');
  });

  it('inside the window nobody else is written to: an imminent case raised at 10:00 on a working day', () => {
    const d = practice('imminent', '2026-11-23T10:00:00Z');
    expect(d.step('deputy-director').sentAt).toBe('2026-11-23T10:00:00.000Z');
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
    expect(d.step('deputy-director').outOfHoursTo).toBeUndefined();
  });

  it('the next level falling due at its working day’s opening is in hours: no EDT mail', () => {
    const d = practice('urgent', '2026-11-23T20:00:00Z');
    d.at('2026-11-25T09:00:00Z').advance();
    expect(d.step('head-of-service').sentAt).toBe('2026-11-25T09:00:00.000Z');
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
  });

  it('with no out-of-hours address known, the rung goes as before and the RM is told nobody else was written to', () => {
    const d = practice('imminent', CHRISTMAS_EVE_1730, { directory: { authorities: [], organisations: {} } });
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
    expect(d.step('deputy-director').sentAt).toBe('2026-12-24T17:30:00.000Z');
    const [notice] = mailsOf(d.last(), 'step-notice');
    expect(notice!.data.outOfHours).toEqual({ role: 'emergency-duty-team', mode: 'in-addition', to: [] });
  });

  it('a Deputy Director outside the organisation still waits for the window; the EDT is written to at once all the same', () => {
    const d = practice('imminent', CHRISTMAS_EVE_1730, { domains: ['home.example.org'] });
    const [chaser] = mailsOf(d.last(), 'chaser');
    expect(chaser!.timing).toBe('window');
    expect(d.step('deputy-director').sentAt).toBe('2026-12-29T09:00:00.000Z');
    const [ooh] = mailsOf(d.last(), 'out-of-hours');
    expect(ooh!.timing).toBe('now');
    expect(ooh!.data.daytimeAt).toBe('2026-12-29T09:00:00.000Z');
  });

  it('mode instead: only the EDT now; the Deputy Director when the window opens, and the later dates count from then', () => {
    const d = practice('imminent', CHRISTMAS_EVE_1730, { def: practiceInstead() });
    const [ooh] = mailsOf(d.last(), 'out-of-hours');
    expect(ooh!.timing).toBe('now');
    expect(ooh!.data).toMatchObject({ mode: 'instead', daytimeAt: '2026-12-29T09:00:00.000Z' });
    const [chaser] = mailsOf(d.last(), 'chaser');
    expect(chaser!.timing).toBe('window');
    expect(d.step('deputy-director').sentAt).toBe('2026-12-29T09:00:00.000Z');
  });

  it('an out-of-hours address already on the rung’s own mail gets no second mail', () => {
    const onMail: Directory = { authorities: [], organisations: { 'org-1': { 'emergency-duty-team': { email: addr('deputy-director') } } } };
    const d = practice('imminent', CHRISTMAS_EVE_1730, { directory: onMail });
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
    const route = outOfHoursRoute(d.state, effectiveLadder(d.def, 'imminent'), d.ctx(), [{ email: addr('deputy-director') }]);
    expect(route).toMatchObject({ to: [], holdsDaytime: false });
  });

  it('the fostering panel’s immediate-safeguarding route at 22:15: the senior manager and the EDT', () => {
    const d = new CaseDriver(ladder('fostering-panel'), undefined, DIRECTORY, STAFF);
    d.at('2026-11-23T22:15:00Z').open({
      participants: people('responsible-manager', 'senior-manager', 'panel-adviser', 'adm', 'panel-chair'),
      variant: 'urgent',
    });
    expect(emails(mailsOf(d.last(), 'chaser')[0]!.to)).toEqual([addr('senior-manager')]);
    expect(emails(mailsOf(d.last(), 'out-of-hours')[0]!.to)).toEqual([EDT.email]);
  });

  it('the foster carer ladder, FIRO and reg 5’s standard weeks name no out-of-hours address (reg 5 safeguarding: reg5-out-of-hours.test.ts)', () => {
    expect(effectiveLadder(ladder('childrens-home-reg5'), 'standard').outOfHours).toBeUndefined();
    for (const id of ['foster-carer-concern', 'firo-dispute-resolution']) {
      const def = ladder(id);
      for (const v of ['standard', 'urgent', 'imminent'] as const) {
        if (v !== 'standard' && !def.variants[v]) continue;
        expect(effectiveLadder(def, v).outOfHours, `${id} ${v}`).toBeUndefined();
      }
    }
    expect(effectiveLadder(ladder('practice-disagreement'), 'standard').outOfHours).toBeUndefined();
    expect(effectiveLadder(ladder('fostering-panel'), 'standard').outOfHours).toBeUndefined();
  });

  it('the timetable (confirmation, cases show, TIMETABLE) says who was written to out of hours', () => {
    const d = practice('imminent', CHRISTMAS_EVE_1730);
    const row = timetableRows(d.state, d.ctx()).find((r) => r.rung === 'deputy-director')!;
    expect(row.outOfHours).toEqual({ role: 'emergency-duty-team', label: 'Emergency Duty Team', mode: 'in-addition', emails: [EDT.email] });
    expect(row.atText).toBe(`Thursday 24 December 2026 at 17:30 (out of hours: also to the Emergency Duty Team, ${EDT.email}, at once)`);
    const standard = practice('standard', CHRISTMAS_EVE_1730);
    expect(timetableRows(standard.state, standard.ctx()).every((r) => !r.outOfHours)).toBe(true);
  });

  it('simulate and the ladders table say it', () => {
    const cal = calendar();
    const sim = simulateLadder(ladder('practice-disagreement'), 'imminent', new Date(CHRISTMAS_EVE_1730), cal);
    expect(sim.steps[0]).toMatchObject({ rung: 'deputy-director', outOfHours: { to: 'emergency-duty-team', mode: 'in-addition' } });
    const inHours = simulateLadder(ladder('practice-disagreement'), 'imminent', new Date('2026-11-23T10:00:00Z'), cal);
    expect(inHours.steps[0]!.outOfHours).toBeUndefined();
    const table = ladderTables([ladder('practice-disagreement')]);
    expect(table).toContain('out of hours: also the Emergency Duty Team');
  });

  it('ladders check: an out-of-hours address on timescales none of whose rungs goes at any hour is allowed (ESCALATE or APPROVE at night uses it)', () => {
    const def = ladder('foster-carer-concern');
    const withEdt = { ...def, outOfHours: { to: 'emergency-duty-team', mode: 'in-addition' as const } };
    expect(checkLadder('foster-carer-concern.yaml', withEdt)).toEqual([]);
    expect(checkLadder('practice-disagreement.yaml', ladder('practice-disagreement'))).toEqual([]);
  });
});
