/**
 * Issue 15.3, reg 5 safeguarding ("Where there are safeguarding concerns the timeline should be
 * addressed more quickly or even immediately if necessary", Limitations). No reg 5 rung falls due
 * at night: each chases the placing authority, outside the home, so its mail waits for the send
 * window. But a step taken at night (ESCALATE, APPROVE) on the safeguarding timescales is written
 * at once to the placing authority's Emergency Duty Team, its out-of-hours service; the rung's own
 * mail still goes when the working day starts, composed then. Never the home's own on-call address. Europe/London
 * is on GMT in November, so these times are also UTC.
 */
import { describe, expect, it } from 'vitest';
import { timetableRows } from '../../../src/domain/case/timetable-view.js';
import type { Directory } from '../../../src/domain/directory.js';
import { effectiveLadder } from '../../../src/domain/ladder/effective-ladder.js';
import { checkLadder } from '../../../src/domain/ladder/ladder-check.js';
import { ladderTables } from '../../../src/domain/ladder/ladder-table.js';
import { CaseDriver, addr, emails, ladder, mailsOf, people } from './case-driver.js';

const AUTHORITY_EDT = { name: 'Example Council Emergency Duty Team', email: 'edt@la.example.gov.uk' };
const HOME_ON_CALL = { name: 'Home on-call manager', email: 'oncall@home.example.org' };
const COUNCIL = { id: 'example', name: 'Example Council', domains: ['la.example.gov.uk'] };
/** The placing authority's duty team and the home's own on-call address, as config/directory.yaml can give both. */
const BOTH: Directory = {
  authorities: [{ ...COUNCIL, contacts: { 'emergency-duty-team': AUTHORITY_EDT } }],
  organisations: { 'org-1': { 'emergency-duty-team': HOME_ON_CALL } },
};
/** Only the home's own: not the placing authority's duty team. */
const HOME_ONLY: Directory = { authorities: [{ ...COUNCIL, contacts: {} }], organisations: { 'org-1': { 'emergency-duty-team': HOME_ON_CALL } } };
const FRIDAY_1500 = '2026-11-27T15:00:00Z';
const FRIDAY_2200 = '2026-11-27T22:00:00Z';
const MONDAY_0900 = '2026-11-30T09:00:00.000Z';

function reg5(variant: 'standard' | 'urgent', directory: Directory = BOTH, extra: string[] = []): CaseDriver {
  const d = new CaseDriver(ladder('childrens-home-reg5'), undefined, directory, ['home.example.org']);
  d.at(FRIDAY_1500).open({ participants: people('professional', 'team-manager', 'assistant-director', 'dcs', 'iro', ...extra), variant });
  return d;
}

describe('reg 5 safeguarding out of hours: the placing authority’s Emergency Duty Team', () => {
  it('ESCALATE at 22:00 on a Friday: the authority’s EDT now, the professional’s reminder at Monday 09:00', () => {
    const d = reg5('urgent');
    d.at(FRIDAY_2200).command({ kind: 'escalate' } as never);
    const [ooh] = mailsOf(d.last(), 'out-of-hours');
    expect(ooh).toBeDefined();
    expect(emails(ooh!.to)).toEqual([AUTHORITY_EDT.email]);
    expect(ooh!.timing).toBe('now');
    expect(ooh!.data).toMatchObject({ rungId: 'professional-reminder', mode: 'in-addition', daytimeAt: MONDAY_0900, by: 'escalated' });
    expect(ooh!.forward).toEqual({ message: 'msg-0' });
    // The rung's own mail (to the professional, copying the team manager) is not composed at night:
    // the step goes at the opening, its date and deadline that morning's.
    expect(mailsOf(d.last(), 'chaser')).toEqual([]);
    const step = d.step('professional-reminder');
    expect(step.status).toBe('planned');
    expect(step.dueAt).toBe(MONDAY_0900);
    expect(step.outOfHoursTo).toEqual([AUTHORITY_EDT.email]);
    const [ack] = mailsOf(d.last(), 'command-ack');
    expect(JSON.stringify(ack!.data)).toContain(`goes at Monday 30 November 2026 at 09:00; out of hours, ${AUTHORITY_EDT.email} is written to at once`);
    // The timetable says it too.
    const row = timetableRows(d.state, d.ctx()).find((r) => r.rung === 'professional-reminder')!;
    expect(row.outOfHours?.emails).toEqual([AUTHORITY_EDT.email]);

    // Monday 09:00, when the chaser leaves (to the professional, copying the team manager): nothing
    // more to the EDT, and the next rung is in hours.
    d.at(MONDAY_0900).advance();
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
    const [chaser] = mailsOf(d.last(), 'chaser').filter((m) => m.step === step.n);
    expect(emails(chaser!.to)).toEqual([addr('professional')]);
    expect(emails(chaser!.cc)).toContain(addr('team-manager'));
    expect(d.step('professional-reminder').sentAt).toBe(MONDAY_0900);
    expect(d.step('team-manager-reminder').status).toBe('planned');
  });

  it('an EDT: line on the case wins over the directory', () => {
    const d = new CaseDriver(ladder('childrens-home-reg5'), undefined, BOTH, ['home.example.org']);
    d.at(FRIDAY_1500).open({
      participants: [
        ...people('professional', 'team-manager'),
        { role: 'emergency-duty-team', email: 'out-of-hours@placing.example.gov.uk', source: 'directive' },
      ],
      variant: 'urgent',
    });
    d.at(FRIDAY_2200).command({ kind: 'escalate' } as never);
    expect(emails(mailsOf(d.last(), 'out-of-hours')[0]!.to)).toEqual(['out-of-hours@placing.example.gov.uk']);
  });

  it('only the home’s own on-call address known: nobody is written to out of hours, the rung as before, the RM told', () => {
    const d = reg5('urgent', HOME_ONLY);
    d.at(FRIDAY_2200).command({ kind: 'escalate' } as never);
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
    expect(d.step('professional-reminder').dueAt).toBe(MONDAY_0900);
    expect(d.step('professional-reminder').outOfHoursTo).toBeUndefined();
    const [ack] = mailsOf(d.last(), 'command-ack');
    expect(JSON.stringify(ack!.data)).toContain('no address is known for the Emergency Duty Team, so nobody else could be written to now');
    d.at(MONDAY_0900).advance();
    expect(d.step('professional-reminder').sentAt).toBe(MONDAY_0900);
  });

  it('the standard timescales: ESCALATE at night writes to nobody out of hours and the step waits for Monday as before', () => {
    const d = reg5('standard');
    d.at(FRIDAY_2200).command({ kind: 'escalate' } as never);
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
    expect(mailsOf(d.last(), 'chaser')).toEqual([]);
    expect(d.step('professional-reminder').status).toBe('planned');
    expect(d.step('professional-reminder').dueAt).toBe(MONDAY_0900);
    d.at(MONDAY_0900).advance();
    expect(d.step('professional-reminder').sentAt).toBe(MONDAY_0900);
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
  });

  it('ESCALATE in hours on the safeguarding timescales: nobody out of hours', () => {
    const d = reg5('urgent');
    d.at('2026-11-27T16:00:00Z').command({ kind: 'escalate' } as never);
    expect(d.step('professional-reminder').sentAt).toBe('2026-11-27T16:00:00.000Z');
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
  });

  it('the Director of Children’s Services’ draft approved on a Saturday: the EDT then, the DCS on Monday', () => {
    const d = reg5('urgent');
    for (const rung of ['professional-reminder', 'team-manager-reminder', 'assistant-director', 'dcs']) {
      d.at(d.due(rung)!).advance();
    }
    expect(d.step('dcs').status).toBe('awaiting-approval');
    expect(mailsOf(d.last(), 'out-of-hours')).toEqual([]);
    d.at('2026-12-05T11:00:00Z').command({ kind: 'approve' } as never);
    const [ooh] = mailsOf(d.last(), 'out-of-hours');
    expect(emails(ooh!.to)).toEqual([AUTHORITY_EDT.email]);
    expect(ooh!.data).toMatchObject({ rungId: 'dcs', by: 'approved', daytimeAt: '2026-12-07T09:00:00.000Z' });
  });

  it('the ladder: only the safeguarding variant names it, the authority’s only; ladders check passes; the table says when', () => {
    const def = ladder('childrens-home-reg5');
    expect(effectiveLadder(def, 'urgent').outOfHours).toEqual({ to: 'emergency-duty-team', mode: 'in-addition', authorityOnly: true });
    expect(effectiveLadder(def, 'standard').outOfHours).toBeUndefined();
    expect(checkLadder('childrens-home-reg5.yaml', def)).toEqual([]);
    expect(ladderTables([def])).toContain("ESCALATE/APPROVE out of hours: also the authority's Emergency Duty Team at once");
  });
});
