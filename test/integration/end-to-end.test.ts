import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseEvent, Message, OutboxMail } from '../../src/db/entities/index.js';
import { messageIdFor } from '../../src/outbound/compose/threading.js';
import { EscalatorHarness, INBOX, RM, SECRET, rfc822 } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const PROFESSIONAL = 'sam.patel@northshire.gov.uk';
const TEAM_MANAGER = 'jo.bennett@northshire.gov.uk';
const REQUEST_ID = '<request-1@sunrise-homes.org.uk>';
const SUBJECT = 'LAC review minutes for AB-1234 [escalate]';

describe('a tagged email opens a case, a chaser climbs one rung, a reply resolves it', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    // Monday 23 November 2026, 10:00 in London.
    h = await EscalatorHarness.start({ name: 'e2e', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  it('confirms a tagged request with the reference, the professional and the dated timetable', async () => {
    const request = rfc822({
      from: 'Alex Morgan <alex.morgan@sunrise-homes.org.uk>',
      to: 'Sam Patel <sam.patel@northshire.gov.uk>',
      cc: INBOX,
      subject: SUBJECT,
      messageId: REQUEST_ID,
      date: h.clock.now(),
      headers: { 'Thread-Index': 'AdtbN0qjRkH1Wvg8QyuN3Vb1pSkQ5A==' },
      body: 'Hi Sam,\r\n\r\nCould you send the minutes of the Looked After Review held on 2 November?\r\n\r\nChild: AB-1234\r\nTeam manager: Jo Bennett <jo.bennett@northshire.gov.uk>\r\n\r\nMany thanks,\r\nAlex',
    });
    await h.append(request);
    // The same message delivered twice (e.g. To and Cc copies) is one case.
    await h.append(request);

    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened') ?? false);
    expect(confirmation.envelope.to).toEqual([RM]);
    expect(confirmation.parsed.subject).toBe('Case opened: LAC review minutes for AB-1234 [ESC-2026-0001]');
    expect(confirmation.parsed.inReplyTo).toBe(REQUEST_ID);
    expect(confirmation.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    const text = confirmation.parsed.text ?? '';
    expect(text).toContain('ESC-2026-0001');
    expect(text).toContain('Child reference: AB-1234');
    // Known contacts are listed as the directive that would correct them ("Team manager: …").
    expect(text).toContain(`The professional: Sam Patel <${PROFESSIONAL}>`);
    expect(text).toContain(`Team manager: Jo Bennett <${TEAM_MANAGER}>`);
    // +2w, +3w, +4w from Monday 23 November 10:00; +6w lands on 4 January (after the holidays).
    expect(text).toContain('1. Reminder to the professional — Monday 7 December 2026 at 10:00');
    expect(text).toContain('2. Reminder to the team manager — Monday 14 December 2026 at 10:00');
    expect(text).toContain('3. Email to the Assistant Director — Monday 21 December 2026 at 10:00');
    expect(text).toContain('Email to the Director of Children’s Services — Monday 4 January 2027 at 10:00');
    expect(confirmation.parsed.html).toContain('ESC-2026-0001');

    await h.settle();
    const cases = await h.em().execute<{ ref: string }[]>('select ref from escalation_case');
    expect(cases).toEqual([{ ref: 'ESC-2026-0001' }]);
    const stored = await h.em().find(Message, { messageId: REQUEST_ID });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.route).toBe('new-case');
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    expect(row.status).toBe('open');
    expect(row.nextActionAt?.toISOString()).toBe('2026-12-07T10:00:00.000Z');
    const jobs = await h.delayedAdvanceJobs(row.id);
    expect(jobs.map((j) => j.id)).toEqual([`advance-${row.id}-${Date.parse('2026-12-07T10:00:00Z')}`]);
  });

  it('sends the rung-1 chaser, threaded onto the request, when it falls due', async () => {
    h.sink.clear();
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    // Promoting early does nothing: the case decides what is due, not the job.
    await h.advanceTo('2026-12-07T09:59:00Z');
    await h.settle();
    expect(h.sink.messages).toHaveLength(0);

    await h.advanceTo('2026-12-07T10:00:00Z');
    const chaser = await h.sink.waitFor((m) => m.envelope.to.includes(PROFESSIONAL));
    const expectedId = messageIdFor(SECRET, row.id, 'ESC-2026-0001', 's1-chaser', INBOX);
    expect(chaser.messageId).toBe(expectedId);
    expect(chaser.parsed.subject).toBe('Reminder 1: LAC review minutes for AB-1234 [ESC-2026-0001]');
    expect(chaser.parsed.inReplyTo).toBe(REQUEST_ID);
    const refs = chaser.parsed.references;
    expect(Array.isArray(refs) ? refs[0] : refs).toBe(REQUEST_ID);
    expect(chaser.parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(chaser.parsed.headers.get('x-auto-response-suppress')).toBe('OOF, AutoReply');
    // Outlook's conversation name: the request's own words, without the [escalate] tag (issue 20.5).
    expect(chaser.parsed.headers.get('thread-topic')).toBe('LAC review minutes for AB-1234');
    // Outlook keeps the conversation: our Thread-Index extends the request's.
    const threadIndex = chaser.parsed.headers.get('thread-index') as string;
    expect(Buffer.from(threadIndex, 'base64').subarray(0, 22)).toEqual(Buffer.from('AdtbN0qjRkH1Wvg8QyuN3Vb1pSkQ5A==', 'base64'));
    expect(Buffer.from(threadIndex, 'base64')).toHaveLength(27);
    const replyTo = chaser.parsed.replyTo?.value[0]?.address ?? '';
    expect(replyTo).toMatch(/^escalations\+[a-z2-7]{20}@sunrise-homes\.org\.uk$/);
    const to = (chaser.parsed.to as { value: { address: string }[] }).value.map((a) => a.address);
    const cc = (chaser.parsed.cc as { value: { address: string }[] }).value.map((a) => a.address);
    expect(to).toEqual([PROFESSIONAL]);
    // The RM is not copied: the step notice is their copy (issue 20.4, one mail per step).
    expect(cc).toEqual([TEAM_MANAGER]);
    expect(chaser.envelope.to.sort()).toEqual([PROFESSIONAL, TEAM_MANAGER].sort());
    const body = chaser.parsed.text ?? '';
    expect(body).toContain('Dear Sam Patel');
    // The end of the working day before the team manager is written to (Monday 14 December).
    expect(body).toContain('Please have this completed by the end of Friday 11 December 2026.');
    expect(body).toContain('Regulation 5(c) of the Children’s Homes (England) Regulations 2015');
    expect(chaser.parsed.html).toContain('Friday 11 December 2026');

    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Sent: Reminder to the professional') ?? false);
    expect(notice.envelope.to).toEqual([RM]);
    expect(notice.parsed.text).toContain('record them (reply VIEWS: …)');
    // It quotes the chaser as sent: the one mail the RM gets for this step.
    expect(notice.parsed.text).toContain('---------- What was sent ----------');
    expect(notice.parsed.text).toContain(`Subject: ${chaser.parsed.subject}`);
    expect(notice.parsed.text).toContain('Please have this completed by the end of Friday 11 December 2026.');
    expect(h.sink.messages.filter((m) => m.envelope.to.includes(RM) && m.parsed.subject === chaser.parsed.subject)).toHaveLength(0);

    await h.settle();
    const after = (await h.caseByRef('ESC-2026-0001'))!;
    expect(after.nextActionAt?.toISOString()).toBe('2026-12-14T10:00:00.000Z');
    expect(after.highestStep).toBe(1);
  });

  it('asks the RM to confirm when the professional replies that the minutes are attached, and resolves on their RESOLVED', async () => {
    h.sink.clear();
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    const chaserId = messageIdFor(SECRET, row.id, 'ESC-2026-0001', 's1-chaser', INBOX);
    h.clock.set('2026-12-07T14:12:00Z');
    await h.append(
      rfc822({
        from: 'Sam Patel <sam.patel@northshire.gov.uk>',
        to: 'Sunrise escalations <escalations@sunrise-homes.org.uk>',
        cc: `Jo Bennett <${TEAM_MANAGER}>, Alex Morgan <${RM}>`,
        subject: 'RE: LAC review minutes for AB-1234 [ESC-2026-0001]',
        messageId: '<reply-1@northshire.gov.uk>',
        date: h.clock.now(),
        inReplyTo: chaserId,
        references: `${REQUEST_ID} ${chaserId}`,
        body: 'I have sent the minutes to Alex by post today, so this is now done.\r\n\r\nSam\r\n\r\nFrom: Sunrise escalations\r\nSent: 07 December 2026 10:00\r\nTo: Sam Patel\r\nSubject: Re: LAC review minutes for AB-1234 [ESC-2026-0001]\r\n\r\nDear Sam Patel, ...',
      }),
    );
    // A reply that reads as done does not close the case: the RM is asked, once, and told what
    // silence does (words alone, nothing attached: the reminders resume) and when.
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Response received') ?? false);
    expect(notice.envelope.to).toEqual([RM]);
    expect(notice.parsed.text).toContain('The reminders resume on Friday 11 December 2026 unless you reply RESOLVED.');
    expect(notice.parsed.text).toContain('I have sent the minutes to Alex by post today, so this is now done.');
    expect(notice.parsed.text).not.toContain('Dear Sam Patel, ...');
    await h.settle();
    const waiting = (await h.caseByRef('ESC-2026-0001'))!;
    expect(waiting.status).toBe('awaiting-confirmation');
    expect(waiting.nextActionAt?.toISOString()).toBe('2026-12-09T14:12:00.000Z');

    // The RM confirms it.
    h.clock.set('2026-12-08T09:30:00Z');
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: 'RE: Response received — is it done? LAC review minutes for AB-1234 [ESC-2026-0001]',
        messageId: '<rm-resolved-1@sunrise-homes.org.uk>',
        date: h.clock.now(),
        inReplyTo: REQUEST_ID,
        references: REQUEST_ID,
        body: 'RESOLVED\r\n\r\nAlex',
      }),
    );
    await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Done:') ?? false);
    await h.settle();

    const resolved = (await h.caseByRef('ESC-2026-0001'))!;
    expect(resolved.status).toBe('resolved');
    expect(resolved.nextActionAt).toBeNull();
    expect(await h.delayedAdvanceJobs(row.id)).toHaveLength(0);
    const reply = await h.em().findOne(Message, { messageId: '<reply-1@northshire.gov.uk>' });
    expect(reply?.route).toBe('reply');
    expect((reply?.analysis as { classification: { class: string } }).classification.class).toBe('resolved');

    const events = await h.em().find(CaseEvent, { case: row.id }, { orderBy: { id: 'asc' } });
    expect(events.map((e) => [e.type, e.actor])).toEqual([
      ['case-opened', RM],
      ['step-sent', 'system'],
      ['reply-received', PROFESSIONAL],
      ['awaiting-confirmation', PROFESSIONAL],
      ['resolved', RM],
      ['commands-applied', RM],
    ]);
    // Written in one decision, the chaser and its step notice share a moment: the kind breaks the tie,
    // and the id (unique) any other, so the order never rests on what the database happens to return.
    const outbox = await h.em().find(OutboxMail, { case: row.id }, { orderBy: { createdAt: 'asc', kind: 'asc', id: 'asc' } });
    expect(outbox.map((o) => [o.kind, o.status])).toEqual([
      ['confirmation', 'sent'],
      ['chaser', 'sent'],
      ['step-notice', 'sent'],
      ['confirm-request', 'sent'],
      ['command-ack', 'sent'],
    ]);
    // Nothing more goes out, however far the clock moves.
    h.sink.clear();
    await h.advanceTo('2027-03-01T10:00:00Z');
    await h.settle();
    expect(h.sink.messages).toHaveLength(0);
  });
});
