/**
 * Issue 15.3: "on the same day" and "immediately". A rung whose ladder or variant says
 * `sendWindow: always` goes when it falls due, at any hour, to the organisation's own staff
 * (practice disagreement 5.3 and 5.5, the fostering panel's immediate-safeguarding route); mail
 * with anyone outside the organisation on it still waits for the send window. Europe/London is
 * on GMT in December, so these times are also UTC; 25 and 28 December 2026 are bank holidays.
 */
import { describe, expect, it } from 'vitest';
import { CaseDriver, addr, emails, ladder, mailsOf, people } from './case-driver.js';

const STAFF = ['home.example.org', 'la.example.gov.uk'];
const PRACTICE = ['team-manager', 'service-manager', 'head-of-service', 'deputy-director', 'director', 'psw'];

function imminent(domains?: string[]): CaseDriver {
  const d = new CaseDriver(ladder('practice-disagreement'), undefined, undefined, domains);
  d.at('2026-12-24T17:30:00Z').open({ participants: people(...PRACTICE), variant: 'imminent' });
  return d;
}

describe('sendWindow: always', () => {
  it('an imminent-risk disagreement raised at 17:30 on Christmas Eve reaches the Deputy Director that evening', () => {
    const d = imminent(STAFF);
    const [chaser] = mailsOf(d.last(), 'chaser');
    expect(chaser).toBeDefined();
    expect(emails(chaser!.to)).toEqual([addr('deputy-director')]);
    // 5.5: the PSW's assistance; the imminent variant copies them.
    expect(emails(chaser!.cc)).toContain(addr('psw'));
    expect(chaser!.timing).toBe('now');
    const step = d.step('deputy-director');
    expect(step.status).toBe('sent');
    expect(step.sentAt).toBe('2026-12-24T17:30:00.000Z');
    // One working day from the next opening (Tuesday 29 December): the Deputy Director's whole working day.
    expect(step.deadlineAt).toBe('2026-12-29T17:00:00.000Z');
  });

  it('the same case with the Deputy Director outside the organisation waits for the window (Tuesday 29 December)', () => {
    const d = imminent();
    const [chaser] = mailsOf(d.last(), 'chaser');
    expect(chaser!.timing).toBe('window');
    expect(d.step('deputy-director').sentAt).toBe('2026-12-29T09:00:00.000Z');
  });

  it('urgent (5.3): the service manager that evening; the head of service a whole working day after the next opening', () => {
    const d = new CaseDriver(ladder('practice-disagreement'), undefined, undefined, STAFF);
    d.at('2026-11-23T20:00:00Z').open({ participants: people(...PRACTICE), variant: 'urgent' });
    expect(d.step('service-manager').sentAt).toBe('2026-11-23T20:00:00.000Z');
    expect(d.step('service-manager').deadlineAt).toBe('2026-11-24T17:00:00.000Z');
    expect(d.due('head-of-service')).toBe('2026-11-25T09:00:00+00:00');
  });

  it('IMMINENT sent at night on a standard case goes to the Deputy Director at once', () => {
    const d = new CaseDriver(ladder('practice-disagreement'), undefined, undefined, STAFF);
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...PRACTICE) });
    d.at('2026-11-23T21:40:00Z').command({ kind: 'imminent' } as never);
    const [chaser] = mailsOf(d.last(), 'chaser');
    expect(emails(chaser!.to)).toEqual([addr('deputy-director')]);
    expect(chaser!.timing).toBe('now');
    expect(d.step('deputy-director').sentAt).toBe('2026-11-23T21:40:00.000Z');
  });

  it('ESCALATE at night on a standard practice disagreement sends the next level at once', () => {
    const d = new CaseDriver(ladder('practice-disagreement'), undefined, undefined, STAFF);
    d.at('2026-11-23T10:00:00Z').open({ participants: people(...PRACTICE) });
    d.at('2026-11-23T19:05:00Z').command({ kind: 'escalate' } as never);
    expect(d.step('service-manager').sentAt).toBe('2026-11-23T19:05:00.000Z');
  });

  it('the fostering panel’s immediate-safeguarding route writes to the senior manager at 22:15', () => {
    const d = new CaseDriver(ladder('fostering-panel'), undefined, undefined, STAFF);
    d.at('2026-11-23T22:15:00Z').open({
      participants: people('responsible-manager', 'senior-manager', 'panel-adviser', 'adm', 'panel-chair'),
      variant: 'urgent',
    });
    const [chaser] = mailsOf(d.last(), 'chaser');
    expect(emails(chaser!.to)).toEqual([addr('senior-manager')]);
    expect(chaser!.timing).toBe('now');
  });

  it('reg 5’s safeguarding variant chases people outside the home: it stays in the send window', () => {
    const d = new CaseDriver(ladder('childrens-home-reg5'));
    d.at('2026-11-23T20:00:00Z').open({ participants: people('professional', 'team-manager'), variant: 'urgent' });
    expect(d.state.steps.some((s) => s.anyHour)).toBe(false);
    expect(d.due('professional-reminder')).toBe('2026-11-25T09:00:00+00:00');
  });
});
