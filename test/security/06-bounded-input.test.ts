// Issue 13, point 6: bounded input. A Date header far before receipt, or after it, is replaced by
// the received time (and recorded as such), so a sender cannot backdate a case into immediate
// chasers; a promise beyond the ladder's horizon holds nothing without the RM's say-so; a message
// over the size limit, or whose only body is HTML over its limit, from staff or a participant is
// recorded (headers, size, hash) and the sender or the RM told; a new [escalate] request in the
// thread of a closed case opens a new case.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';

const SAM = 'sam.patel@northshire.gov.uk';
const LIMIT = 60_000;
const HTML_LIMIT = 20_000;

describe('point 6: bounded input', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let n = 0;

  beforeAll(async () => {
    h = await EscalatorHarness.start({
      name: 'sec-06',
      start: '2026-11-23T10:00:00Z',
      config: { limits: { maxMessageBytes: LIMIT, maxHtmlLength: HTML_LIMIT } },
    });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  const row = async (id: string) =>
    (
      await h.em().execute<
        {
          status: string;
          route: string;
          reason: string | null;
          sent_at: Date;
          case_id: string | null;
          headers: string | null;
          sha256: string;
          // The stored analysis JSON: only the fields these tests read.
          analysis: { dateFromHeader?: boolean; parseWarnings?: string[] };
        }[]
      >(`select status, route, reason, sent_at, case_id, headers, sha256, analysis from message where message_id = ?`, [id])
    )[0]!;

  it('a Date header 30 days old, or hours ahead, is replaced by the received time: no backdated case, no chaser at once', async () => {
    const id = `<old-date-${++n}@sunrise-homes.org.uk>`;
    const received = h.clock.now();
    const caseId = await mail.deliver(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: `Sam Patel <${SAM}>`,
        cc: INBOX,
        subject: 'Minutes [escalate]',
        messageId: id,
        date: new Date(received.getTime() - 30 * 86_400_000),
        body: 'Child: AB-6001\r\n\r\nPlease send the minutes.',
      }),
      id,
    );
    const m = await row(id);
    expect(new Date(m.sent_at).toISOString()).toBe(received.toISOString());
    expect(m.analysis.dateFromHeader).toBe(false);
    expect(m.analysis.parseWarnings).toContain(
      'Date header is more than 7 days before the message was received; the mailbox’s received time (IMAP INTERNALDATE) is used',
    );
    const c = (await h.em().execute<{ ref: string; state: { openedAt: string } }[]>(`select ref, state from escalation_case where id = ?`, [caseId]))[0]!;
    expect(c.state.openedAt).toBe(received.toISOString());
    await h.promoteDue();
    await h.settle();
    // Only the confirmation: no chaser "two weeks" after a date that never was.
    expect(h.sink.messages.filter((x) => x.envelope.to.includes(SAM))).toEqual([]);

    const ahead = `<ahead-${++n}@sunrise-homes.org.uk>`;
    await mail.deliver(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: Minutes [${c.ref}]`,
        messageId: ahead,
        date: new Date(received.getTime() + 3 * 3600_000),
        body: 'NOTE: called',
      }),
      ahead,
    );
    const a = await row(ahead);
    expect(new Date(a.sent_at).toISOString()).toBe(received.toISOString());
    expect(a.analysis.parseWarnings?.[0]).toMatch(/^Date header is after the message was received/);
  });

  it('a promise beyond the next two rungs holds nothing: the RM is asked, and the ladder goes on', async () => {
    h.clock.set('2026-11-24T10:00:00Z');
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-6002'] });
    h.sink.clear();
    await mail.reply(c, `Sam Patel <${SAM}>`, 'I will send you the minutes by 30 June 2027.');
    const state = (await h.caseByRef(c.ref))!.state;
    expect(state.hold).toBeUndefined();
    const notice = await h.sink.waitFor((x) => x.envelope.to.includes(RM) && (x.parsed.subject?.startsWith('Reply received') ?? false));
    expect(notice.parsed.text).toContain('They have promised it by Wednesday 30 June 2027');
    expect(notice.parsed.text).toContain('PAUSE until 30 June 2027');
    // The first rung goes on its day.
    await h.advanceTo('2026-12-08T10:00:00Z');
    await h.sink.waitFor((x) => x.messageId === mail.chaserId(c, 1));
  });

  it('oversized mail from staff is recorded (headers, size, SHA-256) and the sender told what to do', async () => {
    h.clock.set('2026-12-09T10:00:00Z');
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-6003'] });
    h.sink.clear();
    const id = `<big-staff-${++n}@sunrise-homes.org.uk>`;
    await mail.deliver(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: scanned plan [${c.ref}]`,
        messageId: id,
        date: h.clock.now(),
        inReplyTo: c.requestId,
        body: `NOTE: scanned plan below\r\n\r\n${randomBytes(LIMIT).toString('base64')}`,
      }),
      id,
    );
    const m = await row(id);
    expect(m).toMatchObject({ status: 'processed', route: 'not-read', case_id: c.id });
    expect(m.reason).toMatch(/^message is larger than the limit \(\d+ bytes; limits\.maxMessageBytes is 60000\)/);
    expect(m.headers).toContain(`Message-ID: ${id}`);
    expect(m.sha256).toMatch(/^[0-9a-f]{64}$/);
    const told = await h.sink.waitFor((x) => x.envelope.to.includes(RM) && (x.parsed.subject?.startsWith('Not read:') ?? false));
    expect(told.parsed.text).toContain('Your message about case');
    expect(told.parsed.text).toContain('Send it again without the large attachments');
    const events = await h.em().execute<{ type: string }[]>(`select type from case_event where case_id = ? order by id`, [c.id]);
    expect(events.at(-1)!.type).toBe('message-not-read');
    expect(events.map((e) => e.type)).not.toContain('note-added');
  });

  it('oversized mail, or HTML-only mail over its limit, from a participant: recorded, and the RM told', async () => {
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-6004'] });
    h.sink.clear();
    const big = `<big-pro-${++n}@northshire.gov.uk>`;
    await mail.deliver(
      rfc822({
        from: `Sam Patel <${SAM}>`,
        to: INBOX,
        subject: `RE: minutes [${c.ref}]`,
        messageId: big,
        date: h.clock.now(),
        inReplyTo: c.requestId,
        body: `Minutes attached.\r\n\r\n${randomBytes(LIMIT).toString('base64')}`,
      }),
      big,
    );
    expect(await row(big)).toMatchObject({ route: 'not-read', case_id: c.id });
    const told = await h.sink.waitFor((x) => x.envelope.to.includes(RM) && (x.parsed.subject?.startsWith('Not read:') ?? false));
    expect(told.parsed.text).toContain(`A message from Sam Patel <${SAM}> about case ${c.ref}`);
    expect(told.parsed.text).toContain('Ask them to send it again');
    expect((await h.caseByRef(c.ref))!.status).toBe('open');

    h.sink.clear();
    const html = `<html-pro-${++n}@northshire.gov.uk>`;
    const raw = rfc822({
      from: `Sam Patel <${SAM}>`,
      to: INBOX,
      subject: `RE: minutes [${c.ref}]`,
      messageId: html,
      date: h.clock.now(),
      inReplyTo: c.requestId,
      body: `<html><body>${'<p>Minutes are attached.</p>'.repeat(1000)}</body></html>`,
    }).replace('Content-Type: text/plain; charset=utf-8', 'Content-Type: text/html; charset=utf-8');
    await mail.deliver(raw, html);
    const hm = await row(html);
    expect(hm.route).toBe('not-read');
    expect(hm.reason).toMatch(/^its only body is HTML longer than the limit \(\d+ characters; limits\.maxHtmlLength is 20000\)/);
    await h.sink.waitFor((x) => x.envelope.to.includes(RM) && (x.parsed.subject?.startsWith('Not read:') ?? false));
    expect((await h.caseByRef(c.ref))!.status).toBe('open');
  });

  it('a new [escalate] request in the thread of a closed case opens a new case', async () => {
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-6005'] });
    await mail.command(c, ['CLOSE']);
    expect((await h.caseByRef(c.ref))!.status).toBe('closed');
    const id = `<again-${++n}@sunrise-homes.org.uk>`;
    const caseId = await mail.deliver(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: `Sam Patel <${SAM}>`,
        cc: INBOX,
        subject: `Re: LAC review minutes [${c.ref}] [escalate]`,
        messageId: id,
        date: h.clock.now(),
        inReplyTo: c.requestId,
        references: c.requestId,
        body: 'The minutes for the next review are missing too.\r\n\r\nChild: AB-6005',
      }),
      id,
    );
    expect(caseId).toBeTruthy();
    expect(caseId).not.toBe(c.id);
    expect(await row(id)).toMatchObject({ route: 'new-case', case_id: caseId });
    expect((await h.caseByRef(c.ref))!.status).toBe('closed');
    const fresh = (await h.em().execute<{ ref: string }[]>(`select ref from escalation_case where id = ?`, [caseId]))[0]!.ref;
    expect(fresh).not.toBe(c.ref);
    const confirmation = await h.sink.waitFor((x) => x.envelope.to.includes(RM) && x.parsed.subject === `Case opened: LAC review minutes [${fresh}]`);
    expect(confirmation.parsed.text).toContain(fresh);
  });
});
