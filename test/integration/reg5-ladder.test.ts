import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { messageIdFor } from '../../src/outbound/compose/threading.js';
import { isChaserSubject } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, SECRET, rfc822 } from '../support/escalator-harness.js';
import type { CapturedMessage } from '../support/smtp-sink.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const AD = 'pat.reid@northshire.gov.uk';
const DCS = 'dcs@northshire.gov.uk';
const IRO = 'riley.shaw@northshire.gov.uk';
const LSCP = 'lscp@northshire.gov.uk';
const INSPECTOR = 'casey.inspector@ofsted.gov.uk';
const REQUEST = '<reg5-request@sunrise-homes.org.uk>';
const TAGGED = 'Care plan: dentist referral for AB-1234 [ESC-2026-0001]';

/** The RM's tagged request, copying the inbox: the team manager named, child protection flagged or not. */
const appendRequest = (h: EscalatorHarness, childProtection: boolean) =>
  h.append(
    rfc822({
      from: `Alex Morgan <${RM}>`,
      to: `Sam Patel <${SAM}>`,
      cc: INBOX,
      subject: 'Care plan: dentist referral for AB-1234 [escalate]',
      messageId: REQUEST,
      date: h.clock.now(),
      body: `Hi Sam,\r\n\r\nThe dentist referral agreed at the review has not been made.\r\n\r\nChild: AB-1234\r\nTeam manager: Jo Bennett <${JO}>\r\n${childProtection ? 'Child protection: yes\r\n' : ''}`,
    }),
  );

const addresses = (m: CapturedMessage, field: 'to' | 'cc') => {
  const v = m.parsed[field] as { value: { address: string }[] } | undefined;
  return (v?.value ?? []).map((a) => a.address).sort();
};
const refsOf = (m: CapturedMessage) => {
  const r = m.parsed.references;
  return Array.isArray(r) ? r : r ? [r] : [];
};

describe('childrens-home-reg5 walked to its fortnightly stage on the real services', () => {
  let h: EscalatorHarness;
  let caseId: string;
  const id = (key: string) => messageIdFor(SECRET, caseId, 'ESC-2026-0001', key, INBOX);
  const chasers: string[] = [];

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'reg5', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  /** Moves the clock to `iso`, runs what fell due and returns the chaser that went to `to`. */
  async function chaserAt(iso: string, to: string): Promise<CapturedMessage> {
    h.sink.clear();
    await h.advanceTo(iso);
    const m = await h.sink.waitFor((x) => addresses(x, 'to').includes(to) && isChaserSubject(x.parsed.subject, TAGGED));
    await h.settle();
    return m;
  }

  function expectThreaded(m: CapturedMessage, key: string) {
    expect(m.messageId).toBe(id(key));
    expect(isChaserSubject(m.parsed.subject, TAGGED)).toBe(true);
    expect(m.parsed.inReplyTo).toBe(REQUEST);
    const refs = refsOf(m);
    expect(refs[0]).toBe(REQUEST);
    // Every earlier chaser is in the thread, in order.
    expect(refs.slice(1)).toEqual(chasers);
    expect(m.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(m.parsed.headers.get('x-auto-response-suppress')).toBe('OOF, AutoReply');
    expect(m.parsed.headers.get('thread-topic')).toBe('Care plan: dentist referral for AB-1234');
    expect(m.parsed.replyTo?.value[0]?.address).toMatch(/^escalations\+[a-z2-7]{20}@sunrise-homes\.org\.uk$/);
    chasers.push(m.messageId);
  }

  async function rmReplies(inReplyTo: string, body: string, n: number) {
    h.clock.advance(5 * 60_000);
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `RE: Approval needed [ESC-2026-0001]`,
        messageId: `<rm-${n}@sunrise-homes.org.uk>`,
        date: h.clock.now(),
        inReplyTo,
        references: `${REQUEST} ${inReplyTo}`,
        body,
      }),
    );
  }

  it('opens the case with the team manager named (not a child protection case)', async () => {
    await appendRequest(h, false);
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    expect(confirmation.parsed.text).toContain('Escalation to the Local Safeguarding Children Partnership');
    expect(confirmation.parsed.text).toContain('only in child protection cases');
    await h.settle();
    caseId = (await h.caseByRef('ESC-2026-0001'))!.id;
  });

  it('2 weeks: reminder to the professional, copying the team manager', async () => {
    const m = await chaserAt('2026-12-07T10:00:00Z', SAM);
    expectThreaded(m, 's1-chaser');
    expect(addresses(m, 'to')).toEqual([SAM]);
    // The RM is not copied on the chaser (one mail per step): their copy is the step notice, which quotes it.
    expect(addresses(m, 'cc')).toEqual([JO].sort());
    const notice = await h.sink.waitFor((n) => n.envelope.to.includes(RM) && (n.parsed.subject?.startsWith('Sent: ') ?? false));
    expect(notice.parsed.text).toContain('This is your copy of it');
    expect(notice.parsed.text).toContain(SAM);
    // The end of the working day before the team manager is written to (Monday 14 December).
    expect(m.parsed.text).toContain('Please have this completed by the end of Friday 11 December 2026.');
    expect(m.parsed.text).toContain('write to the team manager on Monday 14 December 2026');
  });

  it('3 weeks: the team manager, copying the professional, with a one-week deadline', async () => {
    const m = await chaserAt('2026-12-14T10:00:00Z', JO);
    expectThreaded(m, 's2-chaser');
    expect(addresses(m, 'to')).toEqual([JO]);
    expect(addresses(m, 'cc')).toEqual([SAM].sort());
    expect(m.parsed.text).toContain('Please have this completed by the end of Friday 18 December 2026.');
  });

  it('4 weeks: the Assistant Director from the directory, copying the IRO, professional and team manager', async () => {
    const m = await chaserAt('2026-12-21T10:00:00Z', AD);
    expectThreaded(m, 's3-chaser');
    expect(addresses(m, 'cc')).toEqual([IRO, SAM, JO].sort());
    // A two-week window, to the working day before the DCS letter (Monday 4 January 2027): New Year's Day is a holiday.
    expect(m.parsed.text).toContain('Please have this completed by the end of Thursday 31 December 2026.');
  });

  it('6 weeks: the DCS letter waits for the RM’s APPROVE; approved the next day, its dates count from then', async () => {
    h.sink.clear();
    await h.advanceTo('2027-01-04T10:00:00Z');
    const request = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Approval needed') ?? false);
    await h.settle();
    expect(request.envelope.to).toEqual([RM]);
    expect(request.parsed.text).toContain('Reply APPROVE');
    expect(request.parsed.text).toContain(`To: Morgan Hale <${DCS}>`);
    expect(h.sink.messages.some((m) => m.envelope.to.includes(DCS))).toBe(false);
    const draft = (await h.em().findOne(OutboxMail, { dedupeKey: `${caseId}:s4-chaser` }))!;
    expect(draft.status).toBe('held');
    // As drafted on Monday 4 January: a two-week window to the end of Friday 15 January, before the 8-week step.
    expect((await simpleParser(Buffer.from(draft.raw!))).text).toContain('Please have this completed by the end of Friday 15 January 2027.');

    // Nothing is decided for a working day: a reminder, and still nothing to the Director.
    h.sink.clear();
    await h.advanceTo('2027-01-05T10:00:00Z');
    const reminder = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Reminder 1 — approval needed') ?? false);
    expect(reminder.envelope.to).toEqual([RM]);
    await h.settle();
    expect(h.sink.messages.some((m) => m.envelope.to.includes(DCS))).toBe(false);

    // APPROVE on Tuesday 5 January at 10:05: the 8-week step moves back by the day the draft waited,
    // so the letter is written again with its window to the day before that, under the same
    // Message-ID, and the RM is told so.
    h.sink.clear();
    await rmReplies(request.messageId, 'APPROVE\r\n\r\nThanks', 1);
    const letter = await h.sink.waitFor((m) => m.envelope.to.includes(DCS));
    await h.settle();
    expectThreaded(letter, 's4-chaser');
    expect(addresses(letter, 'to')).toEqual([DCS]);
    expect(addresses(letter, 'cc')).toEqual([AD, IRO, SAM, JO].sort());
    expect(letter.raw.equals(Buffer.from(draft.raw!))).toBe(false);
    expect(letter.parsed.text).toContain('Please have this completed by the end of Monday 18 January 2027.');
    expect(letter.parsed.text).not.toContain('Friday 15 January 2027');
    // The next rung moved with it, to the day after the letter's deadline.
    expect(letter.parsed.text).toMatch(/the next step under our policy is to write to [^.]*Ofsted inspector on Tuesday 19 January 2027/);
    expect(letter.parsed.text).toContain('notify the regulator');
    const sent = (await h.em().findOne(OutboxMail, { dedupeKey: `${caseId}:s4-chaser` }))!;
    expect(sent.status).toBe('sent');
    expect(letter.raw.equals(Buffer.from(sent.raw!))).toBe(true);
    const ack = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Done:') ?? false);
    expect(ack.parsed.text).toContain('Approved');
    expect(ack.parsed.text).toContain('sent with its dates counted from today');
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    expect(row.nextActionAt?.toISOString()).toBe('2027-01-19T10:05:00.000Z');
  });

  it('8 weeks, a day later with the DCS letter: the Ofsted inspector (approved); the LSCP rung is set aside (not child protection)', async () => {
    h.sink.clear();
    await h.advanceTo('2027-01-19T10:05:00Z');
    const first = await h.sink.waitFor((m) => (m.parsed.subject ?? '').startsWith('Approval needed: Seek the support'));
    await h.settle();
    const draft = (await h.em().findOne(OutboxMail, { dedupeKey: `${caseId}:s5-chaser` }))!;
    await rmReplies(first.messageId, 'approve', 2);
    const toInspector = await h.sink.waitFor((m) => m.envelope.to.includes(INSPECTOR));
    expectThreaded(toInspector, 's5-chaser');
    expect(addresses(toInspector, 'to')).toEqual([INSPECTOR]);
    expect(addresses(toInspector, 'cc')).toEqual([DCS, AD].sort());
    // Approved the day it was drafted: byte for byte. The rung states no deadline of its own.
    expect(toInspector.raw.equals(Buffer.from(draft.raw!))).toBe(true);
    expect(toInspector.parsed.text).not.toContain('Please have this completed by');
    await h.settle();
    // Nothing is put to the RM for the LSCP, and nothing goes there.
    expect(h.sink.messages.some((m) => (m.parsed.subject ?? '').startsWith('Approval needed: Escalation to the Local'))).toBe(false);
    expect(h.sink.messages.some((m) => m.envelope.to.includes(LSCP))).toBe(false);
    expect(await h.em().findOne(OutboxMail, { dedupeKey: `${caseId}:s6-chaser` })).toBeNull();
  });

  it('then fortnightly to the DCS, copying everyone above', async () => {
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    // Two weeks after the 8-week steps' place on the timetable (Tuesday 19 January, 10:05, where the
    // late approval moved them), however long the approval took that day.
    expect(row.nextActionAt?.toISOString()).toBe('2027-02-02T10:05:00.000Z');
    const m = await chaserAt('2027-02-02T10:05:00Z', DCS);
    expectThreaded(m, 's7-chaser');
    expect(addresses(m, 'to')).toEqual([DCS]);
    expect(addresses(m, 'cc')).toEqual([AD, IRO, SAM, JO].sort());
    expect(m.parsed.text).toContain('Please have this completed by the end of Monday 15 February 2027.');
    const next = (await h.caseByRef('ESC-2026-0001'))!;
    expect(next.nextActionAt?.toISOString()).toBe('2027-02-16T10:05:00.000Z');
  });
});

describe('childrens-home-reg5 on a child protection case: the safeguarding timescales, the LSCP in the fifth working day', () => {
  let h: EscalatorHarness;
  let caseId: string;
  const id = (key: string) => messageIdFor(SECRET, caseId, 'ESC-2026-0001', key, INBOX);
  const isChaser = (m: CapturedMessage) => isChaserSubject(m.parsed.subject, TAGGED);

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'reg5-cp', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  async function rmReplies(inReplyTo: string, body: string, n: number) {
    h.clock.advance(5 * 60_000);
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: 'RE: Approval needed [ESC-2026-0001]',
        messageId: `<rm-cp-${n}@sunrise-homes.org.uk>`,
        date: h.clock.now(),
        inReplyTo,
        references: `${REQUEST} ${inReplyTo}`,
        body,
      }),
    );
  }

  /** Moves the clock to a rung's due moment; the chaser to `to`, or the approval request for it. */
  async function dueAt(iso: string, wait: (m: CapturedMessage) => boolean): Promise<CapturedMessage> {
    h.sink.clear();
    await h.advanceTo(iso);
    const m = await h.sink.waitFor(wait);
    await h.settle();
    return m;
  }

  it('the confirmation gives the working-day timetable, the LSCP on Monday 30 November', async () => {
    await appendRequest(h, true);
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    await h.settle();
    caseId = (await h.caseByRef('ESC-2026-0001'))!.id;
    expect(confirmation.parsed.text).toContain('Escalation to the Local Safeguarding Children Partnership');
    expect(confirmation.parsed.text).not.toContain('only in child protection cases');
    expect(confirmation.parsed.text).toContain('Monday 30 November 2026');
    expect(confirmation.parsed.text).not.toMatch(/January 2027/);
  });

  it('one working day apart: each chaser asks for it by the end of its own day, and none restates the standard 2 weeks', async () => {
    const deadlines: [string, string, string][] = [
      ['2026-11-24T09:00:00Z', SAM, 'the end of Tuesday 24 November 2026'],
      ['2026-11-25T09:00:00Z', JO, 'the end of Wednesday 25 November 2026'],
      ['2026-11-26T09:00:00Z', AD, 'the end of Thursday 26 November 2026'],
    ];
    for (const [at, to, by] of deadlines) {
      const m = await dueAt(at, (x) => isChaser(x) && addresses(x, 'to').includes(to));
      expect(m.parsed.subject).toMatch(/^URGENT — safeguarding — /);
      expect(m.parsed.text).toContain(`Please have this completed by ${by}`);
      expect(m.parsed.text, to).not.toMatch(/\b2 weeks\b|two[- ]week|fortnight/i);
    }
  });

  it('the DCS letter on Friday 27 November, approved the day it was drafted and sent byte for byte', async () => {
    const request = await dueAt('2026-11-27T09:00:00Z', (m) => m.parsed.subject?.startsWith('Approval needed') ?? false);
    const draft = (await h.em().findOne(OutboxMail, { dedupeKey: `${caseId}:s4-chaser` }))!;
    h.sink.clear();
    await rmReplies(request.messageId, 'APPROVE', 1);
    const letter = await h.sink.waitFor((m) => m.envelope.to.includes(DCS));
    await h.settle();
    expect(letter.messageId).toBe(id('s4-chaser'));
    expect(letter.raw.equals(Buffer.from(draft.raw!))).toBe(true);
    expect(letter.parsed.text).toContain('Please have this completed by the end of Friday 27 November 2026.');
    expect(letter.parsed.text).toMatch(/the next step under our policy is to write to [^.]*on Monday 30 November 2026/);
  });

  it('Monday 30 November: the Ofsted inspector, then the LSCP draft waits for APPROVE and goes to the LSCP, copying the DCS, AD and IRO', async () => {
    const first = await dueAt('2026-11-30T09:00:00Z', (m) => (m.parsed.subject ?? '').includes('Approval needed: Seek the support'));
    h.sink.clear();
    await rmReplies(first.messageId, 'APPROVE', 2);
    const toInspector = await h.sink.waitFor((m) => m.envelope.to.includes(INSPECTOR));
    expect(toInspector.messageId).toBe(id('s5-chaser'));
    expect(addresses(toInspector, 'cc')).toEqual([DCS, AD].sort());

    const ask = await h.sink.waitFor((m) => (m.parsed.subject ?? '').includes('Approval needed: Escalation to the Local'));
    await h.settle();
    expect(ask.envelope.to).toEqual([RM]);
    expect(ask.parsed.text).toContain(`To: Northshire Safeguarding Children Partnership <${LSCP}>`);
    expect(h.sink.messages.some((m) => m.envelope.to.includes(LSCP))).toBe(false);
    const draft = (await h.em().findOne(OutboxMail, { dedupeKey: `${caseId}:s6-chaser` }))!;
    expect(draft.status).toBe('held');

    h.sink.clear();
    await rmReplies(ask.messageId, 'APPROVE', 3);
    const toLscp = await h.sink.waitFor((m) => m.envelope.to.includes(LSCP));
    await h.settle();
    expect(toLscp.messageId).toBe(id('s6-chaser'));
    expect(toLscp.parsed.subject).toBe(`URGENT — safeguarding — Escalation to the Local Safeguarding Children Partnership: ${TAGGED}`);
    expect(toLscp.parsed.inReplyTo).toBe(REQUEST);
    expect(refsOf(toLscp)).toEqual([REQUEST, ...['s1', 's2', 's3', 's4', 's5'].map((s) => id(`${s}-chaser`))]);
    expect(addresses(toLscp, 'to')).toEqual([LSCP]);
    expect(addresses(toLscp, 'cc')).toEqual([DCS, AD, IRO].sort());
    expect(toLscp.raw.equals(Buffer.from(draft.raw!))).toBe(true);
    expect(toLscp.parsed.text).toContain('child protection matter');
    // Then every two working days: Wednesday 2 December at the opening.
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    expect(row.nextActionAt?.toISOString()).toBe('2026-12-02T09:00:00.000Z');
  });
});
