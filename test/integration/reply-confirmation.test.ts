// Issue 14 "what a user sees", through real mail: a reply that reads as done waits for the RM
// (RESOLVED, NOT DONE, or silence deciding at the end of the second hold); a hedged reply is no
// resolution; a secure-mail notice holds the ladder for the RM; a hand-over offers the new contact;
// a read receipt or an Outlook recall is recorded and answered by nothing; the RM's NOT DONE lets the
// ladder go on with the reply kept on the record. Reg 5 cases opened Monday 23 November 2026
// at 10:00 (GMT): the first reminder is due Monday 7 December at 10:00; holds are 2 working days.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const PDF = Buffer.from('%PDF-1.4\n% the review minutes\n'.padEnd(4000, '.'));

describe('a reply that reads as done waits for the RM', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  // One case per behaviour, all opened on Monday 23 November; the tests run in the order of time.
  const c: Record<'pdf' | 'hedged' | 'secure' | 'silentPdf' | 'silentWords' | 'redirected' | 'receipt' | 'notDone', OpenedCase> = {} as never;
  let notDoneReply = '';

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'reply_confirmation', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
    let n = 0;
    for (const k of ['pdf', 'hedged', 'secure', 'silentPdf', 'silentWords', 'redirected', 'receipt', 'notDone'] as const) {
      c[k] = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: [`Child: AB-42${++n}`] });
    }
    h.sink.clear();
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  const about = (x: OpenedCase) => h.sink.messages.filter((m) => m.parsed.subject?.includes(`[${x.ref}]`) ?? false);
  /** What the RM was sent about the case (the chasers copy the RM too, so those are left out). */
  const toRm = (x: OpenedCase) => about(x).filter((m) => m.envelope.to.includes(RM) && !m.envelope.to.includes(SAM));
  const chasersToSam = (x: OpenedCase) => about(x).filter((m) => m.envelope.to.includes(SAM));
  const status = async (x: OpenedCase) => (await h.caseByRef(x.ref))!.status;
  /** Plain text as one line per paragraph (the layout wraps long lines). */
  const oneLine = (text: string | undefined) => (text ?? '').replace(/([^\n])\n(?=[^\n])/g, '$1 ');

  it('a hedged done reply is no resolution: the RM is told and the ladder goes on', async () => {
    h.clock.set('2026-12-01T11:00:00Z');
    const id = await mail.reply(
      c.hedged,
      `Sam Patel <${SAM}>`,
      'The minutes have been written up; they will be sent once the chair has approved them.\r\n\r\nSam',
    );
    expect(await status(c.hedged)).toBe('open');
    const row = await h.em().execute<{ analysis: { classification: { class: string } } }[]>(`select analysis from message where message_id = ?`, [id]);
    expect(row[0]!.analysis.classification.class).not.toBe('resolved');
    expect(toRm(c.hedged).map((m) => m.parsed.subject)).toEqual([expect.stringMatching(/^Reply received: /)]);
  });

  it('a redirected reply: the RM is offered the new contact as a line to send back', async () => {
    await mail.reply(
      c.redirected,
      `Sam Patel <${SAM}>`,
      'I am no longer the allocated worker for this child. Please contact jo.new@northshire.gov.uk who now holds the case.',
    );
    expect(await status(c.redirected)).toBe('open');
    const [notice] = toRm(c.redirected);
    expect(notice!.parsed.text).toContain('They say someone else now holds this.');
    expect(notice!.parsed.text).toMatch(/^ {2}Professional: jo\.new@northshire\.gov\.uk$/m);
  });

  it('a read receipt is recorded and nothing is sent', async () => {
    const id = '<read-receipt-1@northshire.gov.uk>';
    const boundary = 'mdn-boundary';
    const before = h.sink.messages.length;
    await mail.deliver(
      [
        rfc822({
          from: `Sam Patel <${SAM}>`,
          to: INBOX,
          subject: `Read: ${c.receipt.subject} [${c.receipt.ref}]`,
          messageId: id,
          date: h.clock.now(),
          inReplyTo: c.receipt.requestId,
          references: c.receipt.requestId,
          body: '',
        }).replace(
          'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit',
          `Content-Type: multipart/report; report-type=disposition-notification; boundary="${boundary}"`,
        ),
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Your message was read on Tuesday 1 December 2026 11:00.',
        `--${boundary}`,
        'Content-Type: message/disposition-notification',
        '',
        'Final-Recipient: rfc822; sam.patel@northshire.gov.uk',
        'Disposition: manual-action/MDN-sent-manually; displayed',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
      id,
    );
    expect(h.sink.messages.slice(before)).toEqual([]);
    const events = await h.em().execute<{ type: string }[]>(`select type from case_event where case_id = ? order by id`, [c.receipt.id]);
    expect(events.map((e) => e.type).slice(-1)).toEqual(['auto-reply']);
    expect(await status(c.receipt)).toBe('open');
  });

  it('an Outlook recall is recorded and nothing is sent', async () => {
    const id = '<recall-1@northshire.gov.uk>';
    const before = h.sink.messages.length;
    await mail.deliver(
      rfc822({
        from: `Sam Patel <${SAM}>`,
        to: INBOX,
        subject: `Recall: ${c.receipt.subject} [${c.receipt.ref}]`,
        messageId: id,
        date: h.clock.now(),
        inReplyTo: c.receipt.requestId,
        references: c.receipt.requestId,
        body: `Sam Patel would like to recall the message, "${c.receipt.subject} [${c.receipt.ref}]".`,
      }),
      id,
    );
    expect(h.sink.messages.slice(before)).toEqual([]);
    const events = await h.em().execute<{ type: string }[]>(`select type from case_event where case_id = ? order by id`, [c.receipt.id]);
    expect(events.map((e) => e.type).slice(-2)).toEqual(['auto-reply', 'auto-reply']);
    expect(await status(c.receipt)).toBe('open');
  });

  it('a done reply with a PDF: awaiting confirmation, the RM is sent the PDF and told it closes unless NOT DONE', async () => {
    h.clock.set('2026-12-03T11:00:00Z');
    await mail.reply(c.pdf, `Sam Patel <${SAM}>`, 'Please find the review minutes for AB attached.\r\n\r\nSam', {
      attachment: { filename: 'review-minutes.pdf', content: PDF },
    });
    expect(await status(c.pdf)).toBe('awaiting-confirmation');
    const notices = toRm(c.pdf);
    expect(notices).toHaveLength(1);
    const notice = notices[0]!;
    expect(notice.parsed.subject).toMatch(/^Response received — is it done\? /);
    expect(notice.parsed.text).toContain('This closes on Wednesday 9 December 2026 unless you reply NOT DONE.');
    expect(notice.parsed.text).toContain('Please find the review minutes for AB attached.');
    expect(notice.parsed.text).toContain('review-minutes.pdf (4 kB)');
    expect(notice.parsed.attachments.map((a) => a.filename)).toEqual(['review-minutes.pdf']);
  });

  it('a secure-mail notice: the RM is asked to open it and told when the reminders resume', async () => {
    await mail.reply(
      c.secure,
      `Sam Patel <${SAM}>`,
      'You have received an encrypted message from Northshire Council. To view your message, click the link below.\r\n\r\nhttps://switch.egress.com/ui/read/123\r\n\r\nEgress Switch secure email',
    );
    expect(await status(c.secure)).toBe('awaiting-confirmation');
    const [notice] = toRm(c.secure);
    expect(notice!.parsed.subject).toMatch(/^Secure message received — please open it: /);
    expect(notice!.parsed.text).toContain('The reminders resume on Wednesday 9 December 2026 unless you reply RESOLVED.');
    expect(notice!.parsed.text).toContain('(Egress)');
  });

  it('the RM answers RESOLVED: the case closes', async () => {
    await mail.reply(c.silentPdf, `Sam Patel <${SAM}>`, 'Please find the review minutes for AB attached.', {
      attachment: { filename: 'review-minutes.pdf', content: PDF },
    });
    await mail.reply(c.silentWords, `Sam Patel <${SAM}>`, 'The review minutes have been sent to you today.');
    expect(await status(c.silentPdf)).toBe('awaiting-confirmation');
    expect(await status(c.silentWords)).toBe('awaiting-confirmation');
    notDoneReply = await mail.reply(c.notDone, `Sam Patel <${SAM}>`, 'The review minutes have been sent to you today.');
    expect(await status(c.notDone)).toBe('awaiting-confirmation');
    h.clock.set('2026-12-04T09:30:00Z');
    await mail.command(c.pdf, ['RESOLVED']);
    expect(await status(c.pdf)).toBe('resolved');
    const events = await h
      .em()
      .execute<{ type: string; actor: string }[]>(`select type, actor from case_event where case_id = ? and type = 'resolved'`, [c.pdf.id]);
    expect(events).toEqual([{ type: 'resolved', actor: RM }]);
  });

  it('the RM answers NOT DONE: the case is open again and the reply stays on the record', async () => {
    await mail.command(c.notDone, ['NOT DONE']);
    expect(await status(c.notDone)).toBe('open');
    const events = await h
      .em()
      .execute<{ type: string; actor: string }[]>(`select type, actor from case_event where case_id = ? and type = 'not-done'`, [c.notDone.id]);
    expect(events).toEqual([{ type: 'not-done', actor: RM }]);
    const kept = await h.em().execute<{ case_id: string }[]>(`select case_id from message where message_id = ?`, [notDoneReply]);
    expect(kept).toEqual([{ case_id: c.notDone.id }]);
  });

  it('Monday 7 December: the ladder goes on for the hedged reply, and holds for those awaiting confirmation; the RM is reminded once', async () => {
    await h.advanceTo('2026-12-07T10:00:00Z');
    await h.settle();
    expect(chasersToSam(c.hedged)).toHaveLength(1);
    expect(chasersToSam(c.redirected)).toHaveLength(1);
    // NOT DONE: the reminder goes when it was due before the hold.
    expect(chasersToSam(c.notDone)).toHaveLength(1);
    for (const x of [c.pdf, c.secure, c.silentPdf, c.silentWords]) expect(chasersToSam(x), x.ref).toEqual([]);
    await h.advanceTo('2026-12-07T11:00:00Z');
    await h.settle();
    for (const x of [c.secure, c.silentPdf, c.silentWords]) {
      expect(
        toRm(x).filter((m) => m.parsed.subject?.startsWith('Reminder — is it done?')),
        x.ref,
      ).toHaveLength(1);
    }
    expect(toRm(c.pdf).filter((m) => m.parsed.subject?.startsWith('Reminder'))).toEqual([]);
  });

  it('Wednesday 9 December, nobody answered: the reply with a PDF resolves its case; words alone and the secure notice resume the ladder', async () => {
    await h.advanceTo('2026-12-09T11:00:00Z');
    await h.settle();
    expect(await status(c.silentPdf)).toBe('resolved');
    expect(chasersToSam(c.silentPdf)).toEqual([]);
    const resolved = await h
      .em()
      .execute<{ detail: { by: string; documents: string[] } }[]>(`select detail from case_event where case_id = ? and type = 'resolved'`, [c.silentPdf.id]);
    expect(resolved.map((e) => e.detail)).toEqual([expect.objectContaining({ by: 'silence', documents: ['review-minutes.pdf'] })]);
    for (const x of [c.silentWords, c.secure]) {
      expect(await status(x), x.ref).toBe('open');
      expect(chasersToSam(x), x.ref).toHaveLength(1);
    }
    // The RM is told, in plain words, what their silence did and why.
    const ended = (x: OpenedCase) => toRm(x).filter((m) => m.parsed.subject?.includes('no answer came') ?? false);
    const [closed] = ended(c.silentPdf);
    expect(ended(c.silentPdf)).toHaveLength(1);
    expect(closed!.parsed.subject).toMatch(/^Closed as resolved — no answer came: /);
    expect(oneLine(closed!.parsed.text)).toContain(
      `On Thursday 3 December 2026 Sam Patel <${SAM}> (the professional) replied that it is done, with review-minutes.pdf attached, and I sent it to you to ask whether it is done. Nobody replied RESOLVED or NOT DONE by Wednesday 9 December 2026 at 11:00, so, as I said I would, I have taken the document as the thing asked for and closed the case.`,
    );
    expect(closed!.parsed.text).toContain('If it is not done after all, reply REOPEN.');
    const [words] = ended(c.silentWords);
    expect(ended(c.silentWords)).toHaveLength(1);
    expect(words!.parsed.subject).toMatch(/^Reminders resume — no answer came: /);
    expect(oneLine(words!.parsed.text)).toContain('but no document came with the reply');
    expect(oneLine(words!.parsed.text)).toContain('the next steps go ahead: words alone do not close a case.');
    expect(oneLine(words!.parsed.text)).toMatch(/Next: [^\n]+, going now\./);
    const [secure] = ended(c.secure);
    expect(ended(c.secure)).toHaveLength(1);
    expect(oneLine(secure!.parsed.text)).toContain('nobody has told me what the secure message says.');
    // The case the RM answered themselves is not told again.
    expect(ended(c.pdf)).toEqual([]);
    // The case the RM resolved stays quiet.
    expect(chasersToSam(c.pdf)).toEqual([]);
  });
});
