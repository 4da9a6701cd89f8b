/**
 * The weekly digest built from cases the real state machine produced. The digest is made on
 * Monday 14 December 2026 at 08:00 (GMT, so local time is UTC); "last week" is Monday 7 to
 * Sunday 13 December; the next seven days run to Monday 21 December 08:00. Reg 5 rungs fall due
 * 2, 3, 4 and 6 weeks after the opening, so cases opened on Monday 23 November at 10:00 have
 * their second rung (the team manager) due on Monday 14 December at 10:00.
 */
import { describe, expect, it } from 'vitest';
import { TemplateStore } from '../../../src/lib/template-store.js';
import { buildDigest, type DigestModel } from '../../../src/reports/digest.js';
import { renderDigestMail } from '../../../src/reports/render.js';
import type { CaseFacts } from '../../../src/reports/case-facts.js';
import { addr } from '../case/case-driver.js';
import { CAL, factsOf, fosteringPanel, reg5 } from './report-fixtures.js';

const NOW = '2026-12-14T08:00:00Z';
const ORG = {
  id: 'org-1',
  name: 'Example Home',
  mailbox: 'escalations@home.example.org',
  manager: { email: 'rm@home.example.org', name: 'Registered Manager' },
};

function fixture(): CaseFacts[] {
  const cases = [];
  // 0001: escalated to the DCS rung, which is approval-gated; views recorded at rung 3.
  const a = reg5('ESC-2026-0001', '2026-11-23T10:00:00Z', { childRef: 'AB-0001' });
  a.at('2026-11-23T10:30:00Z').commands([
    { kind: 'escalate' },
    { kind: 'escalate' },
    { kind: 'escalate' },
    { kind: 'views', text: 'Wants it sorted' },
    { kind: 'escalate' },
  ]);
  cases.push(a);
  // 0002: only the professional is known, at an authority the directory does not list.
  const b = reg5('ESC-2026-0002', '2026-11-23T10:00:00Z', { roles: ['professional'], professional: 'sam@eastshire.gov.uk', childRef: 'AB-0002' });
  b.at('2026-11-23T10:30:00Z').commands([{ kind: 'escalate' }, { kind: 'views', text: 'Fine' }]);
  cases.push(b);
  // 0003: rung 1 sent, views never recorded.
  const c = reg5('ESC-2026-0003', '2026-11-23T10:00:00Z', { childRef: 'AB-0003' });
  c.at('2026-11-23T10:30:00Z').command({ kind: 'escalate' });
  cases.push(c);
  // 0004: rung 1 bounced from the professional.
  const d = reg5('ESC-2026-0004', '2026-11-23T10:00:00Z', { childRef: 'AB-0004' });
  d.at('2026-11-23T10:30:00Z').commands([{ kind: 'escalate' }, { kind: 'views', text: 'Upset' }]);
  d.at('2026-11-23T11:00:00Z').bounce(addr('professional'));
  cases.push(d);
  // 0005: fostering panel; the manager says it is done, waiting for the ADM and panel chair.
  const e = fosteringPanel('ESC-2026-0005', '2026-11-23T10:00:00Z', { childRef: 'AB-0005', category: 'Adherence to timescales' });
  e.at('2026-11-24T10:00:00Z').reply('responsible-manager', 'resolved');
  cases.push(e);
  // 0006: opened 1 December, rung 1 due Tuesday 15 December 10:00.
  cases.push(reg5('ESC-2026-0006', '2026-12-01T10:00:00Z', { childRef: 'AB-0006' }));
  // 0007: every rung done (the LSCP rung does not apply), on the fortnightly repeat.
  const g = reg5('ESC-2026-0007', '2026-11-23T10:00:00Z', { childRef: 'AB-0007' });
  g.at('2026-11-23T10:30:00Z').commands([
    { kind: 'escalate' },
    { kind: 'escalate' },
    { kind: 'escalate' },
    { kind: 'escalate' },
    { kind: 'approve' },
    { kind: 'escalate' },
    { kind: 'approve' },
    { kind: 'escalate' },
    { kind: 'views', text: 'Ok' },
  ]);
  g.at('2026-12-07T10:30:00Z').advance();
  g.at('2026-12-08T10:00:00Z').command({ kind: 'views', text: 'Still waiting' });
  cases.push(g);
  // 0008: opened last week.
  cases.push(reg5('ESC-2026-0008', '2026-12-09T10:00:00Z', { childRef: 'AB-0008' }));
  // 0009: rung 1 on 7 December, resolved by the professional's reply on Thursday 10 December.
  const i = reg5('ESC-2026-0009', '2026-11-23T10:00:00Z', { childRef: 'AB-0009' });
  i.at('2026-12-07T10:00:00Z').advance();
  i.at('2026-12-10T10:00:00Z').reply('professional', 'resolved');
  // The RM confirms it (a reply alone never closes the case).
  i.command({ kind: 'resolved' });
  cases.push(i);
  // 0010: resolved the week before last; 0011: closed; 0012: paused into January.
  const j = reg5('ESC-2026-0010', '2026-11-16T10:00:00Z');
  j.at('2026-11-20T10:00:00Z').command({ kind: 'resolved' });
  cases.push(j);
  const k = reg5('ESC-2026-0011', '2026-11-23T10:00:00Z');
  k.at('2026-11-24T10:00:00Z').command({ kind: 'close' });
  cases.push(k);
  const l = reg5('ESC-2026-0012', '2026-11-23T10:00:00Z', { childRef: 'AB-0001' });
  l.at('2026-11-23T11:00:00Z').command({ kind: 'pause', until: '2027-01-11' });
  cases.push(l);
  // Whatever fell due by the digest has run, as the advance job would have done.
  for (const x of cases) if (['open', 'paused'].includes(x.state.status) && x.state.nextActionAt && x.state.nextActionAt <= NOW) x.at(NOW).advance();
  return cases.map((x) => factsOf(x, NOW));
}

const refs = (items: { ref: string }[]) => items.map((i) => i.ref);

describe('weekly digest model', () => {
  const facts = fixture();
  const digest: DigestModel = buildDigest(facts, { now: new Date(NOW), calendar: CAL, org: ORG });

  it('keys the digest by the ISO week of the moment it is made, in the organisation’s timezone', () => {
    expect(digest.week).toEqual({ key: '2026-W51', label: 'week 51, 2026', commencing: 'Monday 14 December 2026' });
    expect(digest.lastWeek.key).toBe('2026-W50');
    expect(digest.lastWeek.label).toBe('Monday 7 December 2026 to Sunday 13 December 2026');
  });

  it('the missing-contacts line names the case and the role it lacks, as a line the RM can send back (issue 20.6)', () => {
    expect(digest.action.missingContacts[0]!.what).toContain('(reply e.g. "ESC-2026-0002 Team manager: Name <address>")');
    const lacking = facts.map((f) => (f.ref === 'ESC-2026-0002' ? { ...f, missingContacts: ['Head of Service', 'Operational Lead'] } : f));
    const d = buildDigest(lacking, { now: new Date(NOW), calendar: CAL, org: ORG });
    expect(d.action.missingContacts[0]!.what).toContain(
      'no address for Head of Service, Operational Lead (reply e.g. "ESC-2026-0002 Head of Service: Name <address>")',
    );
    // The example for the footer names one of the RM's own cases, with a date ahead of the digest.
    expect(d.replyExample).toMatch(/^ESC-2026-\d{4} PAUSE until \d{1,2} (?:December|January)$/);
  });

  it('lists exactly the cases that need the RM, under the right heading', () => {
    expect(refs(digest.action.approvals)).toEqual(['ESC-2026-0001']);
    expect(digest.action.approvals[0]!.what).toContain('Email to the Director of Children’s Services');
    expect(refs(digest.action.missingContacts)).toEqual(['ESC-2026-0002']);
    expect(digest.action.missingContacts[0]!.what).toContain('no address for team manager');
    expect(refs(digest.action.views)).toEqual(['ESC-2026-0003']);
    expect(digest.action.views[0]!.what).toContain('1. Reminder to the professional was sent on Monday 23 November 2026');
    expect(refs(digest.action.bounced)).toEqual(['ESC-2026-0004']);
    expect(digest.action.bounced[0]!.what).toContain(`${addr('professional')} (the professional) bounced`);
    expect(refs(digest.action.confirmations)).toEqual(['ESC-2026-0005']);
    expect(digest.counts.needsAction).toBe(5);
  });

  it('lists what escalates in the next seven days with its date, rung and recipient', () => {
    expect(digest.escalating.map((e) => [e.ref, e.date, e.rung, e.recipient])).toEqual([
      ['ESC-2026-0002', 'Monday 14 December 2026 at 10:00', '2. Reminder to the team manager', 'team manager (no address yet)'],
      ['ESC-2026-0003', 'Monday 14 December 2026 at 10:00', '2. Reminder to the team manager', `team manager (${addr('team-manager')})`],
      ['ESC-2026-0004', 'Monday 14 December 2026 at 10:00', '2. Reminder to the team manager', `team manager (${addr('team-manager')})`],
      ['ESC-2026-0006', 'Tuesday 15 December 2026 at 10:00', '1. Reminder to the professional', `the professional (${addr('professional')})`],
    ]);
  });

  it('shows the case at the top of its ladder, and last week’s openings and resolutions', () => {
    expect(refs(digest.atTop)).toEqual(['ESC-2026-0007']);
    expect(digest.atTop[0]!.highest).toBe('7. Fortnightly email to the Director of Children’s Services');
    expect(refs(digest.openedLastWeek)).toEqual(['ESC-2026-0008']);
    // Opened Monday 23 November, resolved Thursday 10 December: 4 + 5 + 4 working days.
    expect(digest.resolvedLastWeek.map((r) => [r.ref, r.workingDays, r.chasersSent])).toEqual([['ESC-2026-0009', 13, 1]]);
  });

  it('groups every open case by local authority, then child reference, with days outstanding and the next step', () => {
    expect(digest.counts.open).toBe(9);
    expect(digest.groups.map((g) => [g.authority, g.children.map((c) => [c.childRef, refs(c.cases)])])).toEqual([
      ['eastshire.gov.uk', [['AB-0002', ['ESC-2026-0002']]]],
      [
        'Northshire County Council',
        [
          ['AB-0001', ['ESC-2026-0001', 'ESC-2026-0012']],
          ['AB-0003', ['ESC-2026-0003']],
          ['AB-0004', ['ESC-2026-0004']],
          ['AB-0005', ['ESC-2026-0005']],
          ['AB-0006', ['ESC-2026-0006']],
          ['AB-0007', ['ESC-2026-0007']],
          ['AB-0008', ['ESC-2026-0008']],
        ],
      ],
    ]);
    const line = (ref: string) => digest.groups.flatMap((g) => g.children.flatMap((c) => c.cases)).find((c) => c.ref === ref)!;
    expect(line('ESC-2026-0003')).toMatchObject({
      daysOutstanding: 20,
      workingDaysOutstanding: 15,
      nextStep: '2. Reminder to the team manager on Monday 14 December 2026 at 10:00',
    });
    expect(line('ESC-2026-0001').nextStep).toBe('4. Email to the Director of Children’s Services: drafted, waiting for your APPROVE or SKIP');
    expect(line('ESC-2026-0012').nextStep).toBe('Paused until Monday 11 January 2027');
    expect(line('ESC-2026-0005').nextStep).toContain('Waiting for your confirmation');
  });

  it('renders text and HTML that carry every section, and escapes what came from email in the HTML', () => {
    const store = new TemplateStore();
    const f = facts.map((x) => (x.ref === 'ESC-2026-0003' ? { ...x, subject: '<script>alert(1)</script> & minutes' } : x));
    const mail = renderDigestMail(store, buildDigest(f, { now: new Date(NOW), calendar: CAL, org: ORG }));
    expect(mail.subject).toBe('Weekly escalations digest, Example Home: 9 open, 5 need your action (week commencing Monday 14 December 2026)');
    for (const heading of [
      'NEEDS YOUR ACTION',
      'ESCALATING IN THE NEXT 7 DAYS',
      'AT THE TOP OF ITS LADDER',
      'OPENED LAST WEEK',
      'RESOLVED LAST WEEK',
      'EVERY OPEN CASE',
    ]) {
      expect(mail.text).toContain(heading);
    }
    expect(mail.text).toContain('ESC-2026-0009 (child AB-0009), resolved Thursday 10 December 2026: 13 working days to resolution, 1 chaser sent');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; minutes');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toMatch(/data-section="approvals"><li data-ref="ESC-2026-0001">/);
  });
});

describe('a week with nothing open', () => {
  it('still makes a short digest saying so, with last week’s resolutions', () => {
    const j = reg5('ESC-2026-0020', '2026-12-01T10:00:00Z');
    j.at('2026-12-08T10:00:00Z').command({ kind: 'resolved' });
    const k = reg5('ESC-2026-0021', '2026-12-01T10:00:00Z');
    k.at('2026-12-02T10:00:00Z').command({ kind: 'close' });
    const digest = buildDigest([factsOf(j, NOW), factsOf(k, NOW)], { now: new Date(NOW), calendar: CAL, org: ORG });
    expect(digest.nothingOpen).toBe(true);
    expect(digest.groups).toEqual([]);
    expect(digest.action.any).toBe(false);
    expect(refs(digest.resolvedLastWeek)).toEqual(['ESC-2026-0020']);
    const mail = renderDigestMail(new TemplateStore(), digest);
    expect(mail.subject).toBe('Weekly escalations digest, Example Home: nothing open (week commencing Monday 14 December 2026)');
    expect(mail.text).toContain('Nothing is open');
    expect(mail.text).not.toContain('EVERY OPEN CASE');
    expect(mail.html).toContain('id="nothing-open"');
  });

  it('is the same for an organisation with no cases at all', () => {
    const mail = renderDigestMail(new TemplateStore(), buildDigest([], { now: new Date(NOW), calendar: CAL, org: ORG }));
    expect(mail.text).toContain('Nothing is open');
    expect(mail.text).toContain('OPENED LAST WEEK');
  });
});

describe('the seven-day window', () => {
  it('includes a step due just inside it and leaves out one due exactly seven days on', () => {
    // Opened Monday 30 November 10:00: rung 1 due Monday 14 December 10:00.
    const d = reg5('ESC-2026-0030', '2026-11-30T10:00:00Z');
    const at = (now: string) => buildDigest([factsOf(d, now)], { now: new Date(now), calendar: CAL, org: ORG }).escalating.length;
    expect(at('2026-12-07T10:00:00Z')).toBe(0);
    expect(at('2026-12-07T10:01:00Z')).toBe(1);
  });
});

describe('a bounce in the digest', () => {
  const bouncedCase = () => {
    const x = reg5('ESC-2026-0020', '2026-11-23T10:00:00Z', { childRef: 'AB-0020' });
    x.at('2026-11-23T10:30:00Z').command({ kind: 'escalate' });
    x.at('2026-11-23T11:00:00Z').bounce(addr('professional'));
    return x;
  };
  const bouncedRefs = (facts: CaseFacts[]) => refs(buildDigest(facts, { now: new Date(NOW), calendar: CAL, org: ORG }).action.bounced);

  it('asks the RM for a new address while the bounced one is all the role has', () => {
    expect(bouncedRefs([factsOf(bouncedCase(), NOW)])).toEqual(['ESC-2026-0020']);
  });

  it('leaves the to-do list once the RM has given the role a new address', () => {
    const x = bouncedCase();
    x.at('2026-11-24T09:00:00Z').command({
      kind: 'directive',
      directive: { kind: 'contact', role: 'professional', contact: { email: 'new.worker@northshire.gov.uk', name: 'New Worker' } },
    });
    const facts = factsOf(x, NOW);
    expect(bouncedRefs([facts])).toEqual([]);
    // The bounce is still on the case: only the action has gone.
    expect(x.state.participants.find((p) => p.email === addr('professional'))?.undeliverable).toBeTruthy();
  });
});

describe('cases that could not be read', () => {
  it('are named at the top, sorted, and nothing is said when there are none', () => {
    const x = reg5('ESC-2026-0040', '2026-12-01T10:00:00Z', { childRef: 'AB-0040' });
    const opts = { now: new Date(NOW), calendar: CAL, org: ORG };
    const withOdd = buildDigest([factsOf(x, NOW)], { ...opts, unreadable: ['ESC-2026-0099', 'ESC-2026-0098'] });
    expect(withOdd.unreadable).toEqual(['ESC-2026-0098', 'ESC-2026-0099']);
    expect(withOdd.counts.open).toBe(1);
    const mail = renderDigestMail(new TemplateStore(), withOdd);
    expect(mail.text).toContain('Left out of this digest because they could not be read (the service log says why): ESC-2026-0098, ESC-2026-0099.');
    expect(mail.html).toContain('<p id="unreadable">');
    const plain = renderDigestMail(new TemplateStore(), buildDigest([factsOf(x, NOW)], opts));
    expect(plain.text).not.toContain('Left out');
    expect(plain.html).not.toContain('id="unreadable"');
  });
});
