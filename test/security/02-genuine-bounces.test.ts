// Issue 13, point 2: a delivery report changes a case only when it names a mail from our outbox
// (its returned headers, Original-Envelope-Id or In-Reply-To) and the address that failed was an
// envelope recipient of that mail. The case tag in the subject is never enough.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM } from '../support/escalator-harness.js';
import { events } from './support.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const AD = 'pat.reid@northshire.gov.uk';

describe('2. genuine bounces only', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let c: OpenedCase;
  let chaserId: string;
  let n = 0;
  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'sec-02', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
    c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-2001', `Team manager: Jo Bennett <${JO}>`] });
    await h.advanceTo('2026-12-07T10:00:00Z');
    chaserId = mail.chaserId(c, 1);
    await h.sink.waitFor((m) => m.messageId === chaserId);
    await h.settle();
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  /** A DSN as an MTA writes it; `returned` is the text/rfc822-headers part (omitted when null). */
  function dsn(o: { failed: string; returned: string | null; subject?: string; inReplyTo?: string; envid?: string }): { raw: string; id: string } {
    const id = `<dsn-${++n}@mx.northshire.gov.uk>`;
    const raw = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.northshire.gov.uk>',
      `To: ${INBOX}`,
      `Subject: ${o.subject ?? 'Undelivered Mail Returned to Sender'}`,
      `Message-ID: ${id}`,
      `Date: ${h.clock.now().toUTCString()}`,
      ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`] : []),
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'I am sorry to have to inform you that your message could not be delivered.',
      '',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.northshire.gov.uk',
      ...(o.envid ? [`Original-Envelope-Id: ${o.envid}`] : []),
      '',
      `Final-Recipient: rfc822; ${o.failed}`,
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
      ...(o.returned === null ? [] : ['--b1', 'Content-Type: text/rfc822-headers', '', o.returned, '']),
      '--b1--',
      '',
    ].join('\r\n');
    return { raw, id };
  }

  async function deliver(d: { raw: string; id: string }) {
    await mail.deliver(d.raw, d.id);
    return (
      await h
        .em()
        .execute<{ route: string; reason: string | null; case_id: string | null }[]>(`select route, reason, case_id from message where message_id = ?`, [d.id])
    )[0]!;
  }

  it('a forged bounce that only quotes the case tag changes nothing and is flagged, not filed on the case', async () => {
    const before = (await h.caseByRef(c.ref))!.state;
    h.sink.clear();
    const v = await deliver(
      dsn({
        failed: JO,
        returned: `Subject: Re: LAC review minutes [${c.ref}]\r\nMessage-ID: <made-up@escalations.sunrise-homes.org.uk>`,
        subject: `Undeliverable: [${c.ref}]`,
      }),
    );
    expect(v).toMatchObject({ route: 'flagged', case_id: null });
    expect(v.reason).toMatch(/not in our outbox|names no mail we sent/);
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
    expect(h.sink.messages).toHaveLength(0);
  });

  it('a bounce naming our chaser but an address that chaser never went to changes nothing', async () => {
    const before = (await h.caseByRef(c.ref))!.state;
    // The first chaser went to Sam, copied to Jo; never to the Assistant Director.
    const v = await deliver(dsn({ failed: AD, returned: `Message-ID: ${chaserId}\r\nSubject: LAC review minutes [${c.ref}]` }));
    expect(v).toMatchObject({ route: 'flagged', case_id: null });
    expect(v.reason).toMatch(/not sent to/);
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
  });

  it('a bounce whose References name our request, but no mail we sent, changes nothing', async () => {
    const before = (await h.caseByRef(c.ref))!.state;
    const v = await deliver(dsn({ failed: SAM, returned: `Message-ID: <someone-else@example.org>\r\nReferences: ${c.requestId}\r\nSubject: [${c.ref}]` }));
    expect(v.route).toBe('flagged');
    expect((await h.caseByRef(c.ref))!.state).toEqual(before);
  });

  it('a real report about our chaser to Sam marks Sam undeliverable and tells the RM (by returned headers, or by In-Reply-To alone)', async () => {
    h.sink.clear();
    const bouncesBefore = (await events(h, c.id)).filter((e) => e.type === 'bounce').length;
    const v = await deliver(dsn({ failed: SAM, returned: `Message-ID: ${chaserId}\r\nSubject: LAC review minutes [${c.ref}]` }));
    expect(v).toMatchObject({ route: 'bounce', case_id: c.id });
    const s = (await h.caseByRef(c.ref))!.state;
    expect(s.participants.find((p) => p.email === SAM)?.undeliverable).toMatchObject({ reason: '5.1.1' });
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Could not deliver') ?? false);
    expect(notice.envelope.to).toEqual([RM]);
    expect((await events(h, c.id)).filter((e) => e.type === 'bounce')).toHaveLength(bouncesBefore + 1);

    const byReplyTo = await deliver(dsn({ failed: SAM, returned: null, inReplyTo: chaserId }));
    expect(byReplyTo).toMatchObject({ route: 'bounce', case_id: c.id });
  });
});
