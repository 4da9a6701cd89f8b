import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Message } from '../../src/db/entities/index.js';
import type { CaseState } from '../../src/domain/case/case-state.js';
import { messageIdFor } from '../../src/outbound/compose/threading.js';
import { EscalatorHarness, INBOX, RM, SECRET, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';

describe('replies, automatic mail, commands and sender trust on the real services', () => {
  let h: EscalatorHarness;
  let n = 0;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'understand', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  async function open(extra = '', opts: { date?: string; internalDate?: Date } = {}): Promise<{ ref: string; id: string; request: string }> {
    n++;
    const request = `<understand-${n}@sunrise-homes.org.uk>`;
    const raw = rfc822({
      from: `Alex Morgan <${RM}>`,
      to: `Sam Patel <${SAM}>`,
      cc: INBOX,
      subject: `Statutory visit record ${n} [escalate]`,
      messageId: request,
      date: h.clock.now(),
      body: `Child: AB-20${n}\r\nTeam manager: Jo Bennett <${JO}>\r\n${extra}`,
    });
    const withDate = opts.date ? raw.replace(/^Date: .*$/m, `Date: ${opts.date}`) : raw;
    if (opts.internalDate) await h.dovecot.append('escalations', withDate, { internalDate: opts.internalDate });
    else await h.append(withDate);
    // References run per year of opening: ESC-2026-…, then ESC-2027-0001 in January.
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith(`Case opened: Statutory visit record ${n} [`) ?? false);
    const ref = /\[(ESC-\d{4}-\d{4})\]/.exec(confirmation.parsed.subject ?? '')![1]!;
    await h.settle();
    return { ref, id: (await h.caseByRef(ref))!.id, request };
  }

  async function state(ref: string): Promise<CaseState> {
    return (await h.caseByRef(ref))!.state;
  }

  async function verdict(messageId: string) {
    return waitFor(
      async () => {
        const m = await h.em().findOne(Message, { messageId });
        return m && m.status !== 'pending' ? m : undefined;
      },
      { what: `a verdict on ${messageId}` },
    );
  }

  function reply(h2: { from: string; subject: string; messageId: string; inReplyTo: string; body: string; headers?: Record<string, string> }) {
    return rfc822({ to: INBOX, date: h.clock.now(), references: h2.inReplyTo, ...h2 });
  }

  it('a dated promise holds the ladder until the date plus a working day, then it goes on', async () => {
    const c = await open();
    await h.advanceTo('2026-12-07T10:00:00Z');
    await h.sink.waitFor((m) => m.envelope.to.includes(SAM) && m.messageId === messageIdFor(SECRET, c.id, c.ref, 's1-chaser', INBOX));
    await h.settle();
    h.sink.clear();
    h.clock.set('2026-12-07T15:30:00Z');
    await h.append(
      reply({
        from: `Sam Patel <${SAM}>`,
        subject: `RE: Statutory visit record 1 [${c.ref}]`,
        messageId: '<promise-1@northshire.gov.uk>',
        inReplyTo: messageIdFor(SECRET, c.id, c.ref, 's1-chaser', INBOX),
        body: 'Hi Alex,\r\n\r\nSorry, I have been off sick. I will send the record by 18 December.\r\n\r\nSam',
      }),
    );
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Reply received') ?? false);
    expect(notice.envelope.to).toEqual([RM]);
    expect(notice.parsed.text).toContain('held until Monday 21 December 2026 at 09:00');
    await h.settle();
    const row = (await h.caseByRef(c.ref))!;
    expect(row.nextActionAt?.toISOString()).toBe('2026-12-21T09:00:00.000Z');
    const m = await h.em().findOne(Message, { messageId: '<promise-1@northshire.gov.uk>' });
    expect(m?.analysis).toMatchObject({ classification: { class: 'promise', promiseDate: '2026-12-18' } });

    // The team manager's reminder was due on 14 December: it waits for the promise.
    h.sink.clear();
    await h.advanceTo('2026-12-14T10:00:00Z');
    await h.settle();
    expect(h.sink.messages.some((x) => x.envelope.to.includes(JO))).toBe(false);
    await h.advanceTo('2026-12-21T09:00:00Z');
    const tm = await h.sink.waitFor((x) => x.messageId === messageIdFor(SECRET, c.id, c.ref, 's2-chaser', INBOX));
    expect((tm.parsed.to as { value: { address: string }[] }).value[0]?.address).toBe(JO);
    await h.settle();
  });

  it('records an out-of-office with its return date, changes nothing and never answers it', async () => {
    h.clock.set('2026-12-22T10:00:00Z');
    const c = await open();
    const before = await state(c.ref);
    h.sink.clear();
    await h.append(
      reply({
        from: `Sam Patel <${SAM}>`,
        subject: `Automatic reply: Statutory visit record 2 [${c.ref}]`,
        messageId: '<ooo-1@northshire.gov.uk>',
        inReplyTo: c.request,
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All', 'X-MS-Exchange-Inbox-Rules-Loop': SAM },
        body: 'Thank you for your email. I am out of the office until Monday 4 January 2027 with no access to email.',
      }),
    );
    const m = await verdict('<ooo-1@northshire.gov.uk>');
    expect(m.route).toBe('automatic');
    expect(m.case).toBe(c.id);
    await h.settle();
    const after = await state(c.ref);
    expect({ ...after, nextActionAt: after.nextActionAt }).toEqual(before);
    const events = await h
      .em()
      .execute<{ type: string; detail: { returnDate: string } }[]>(`select type, detail from case_event where case_id = ? order by id`, [c.id]);
    expect(events.at(-1)).toMatchObject({ type: 'auto-reply', detail: { returnDate: '2027-01-04' } });
    expect(h.sink.messages).toHaveLength(0);
  });

  it('a bounce marks the address undeliverable and tells the RM, without answering the bounce', async () => {
    h.clock.set('2026-12-23T10:00:00Z');
    const c = await open('Safeguarding: yes\r\n');
    await h.advanceTo('2026-12-24T10:00:00Z');
    const chaserId = messageIdFor(SECRET, c.id, c.ref, 's1-chaser', INBOX);
    await h.sink.waitFor((m) => m.messageId === chaserId);
    await h.settle();
    h.sink.clear();
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.northshire.gov.uk>',
      `To: ${INBOX}`,
      'Subject: Undelivered Mail Returned to Sender',
      '<bounce-1@mx.northshire.gov.uk>',
      `Date: ${h.clock.now().toUTCString()}`,
      'Auto-Submitted: auto-replied',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'This is the mail system at host mx.northshire.gov.uk. I am sorry to have to inform you that your message could not be delivered.',
      '',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.northshire.gov.uk',
      '',
      `Final-Recipient: rfc822; ${SAM}`,
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 user unknown',
      '',
      '--b1',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${chaserId}`,
      `Subject: Re: Statutory visit record 3 [${c.ref}]`,
      '',
      '--b1--',
      '',
    ]
      .join('\r\n')
      .replace('<bounce-1@mx.northshire.gov.uk>', 'Message-ID: <bounce-1@mx.northshire.gov.uk>');
    await h.append(dsn);
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Could not deliver') ?? false);
    expect(notice.envelope.to).toEqual([RM]);
    expect(notice.parsed.text).toContain(SAM);
    await h.settle();
    expect(h.sink.messages.some((m) => m.envelope.to.some((a) => a.toLowerCase().startsWith('mailer-daemon')))).toBe(false);
    const s = await state(c.ref);
    expect(s.participants.find((p) => p.email === SAM)?.undeliverable).toMatchObject({ reason: '5.1.1' });
  });

  it('PAUSE until shifts the timetable by the paused span; RESUME gives the unused part back', async () => {
    h.clock.set('2027-01-04T10:00:00Z');
    const c = await open();
    const due = async () => (await state(c.ref)).steps.map((s) => s.dueAt);
    expect(await due()).toEqual([
      '2027-01-18T10:00:00.000Z',
      '2027-01-25T10:00:00.000Z',
      '2027-02-01T10:00:00.000Z',
      '2027-02-15T10:00:00.000Z',
      '2027-03-01T10:00:00.000Z',
      '2027-03-01T10:00:00.000Z',
    ]);
    h.sink.clear();
    h.clock.set('2027-01-05T10:00:00Z');
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: Case opened [${c.ref}]`,
        messageId: '<pause-1@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'PAUSE until 12 January 2027\r\n\r\nThe social worker is on leave.',
      }),
    );
    const ack = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Done:') ?? false);
    expect(ack.parsed.text).toContain('Paused until Tuesday 12 January 2027 at 09:00');
    await h.settle();
    const paused = (await h.caseByRef(c.ref))!;
    expect(paused.status).toBe('paused');
    expect(paused.nextActionAt?.toISOString()).toBe('2027-01-12T09:00:00.000Z');
    // Paused from Tue 5 Jan 10:00 to Tue 12 Jan 09:00: 6 days 23 hours later, moved into the window.
    expect(await due()).toEqual([
      '2027-01-25T09:00:00.000Z',
      '2027-02-01T09:00:00.000Z',
      '2027-02-08T09:00:00.000Z',
      '2027-02-22T09:00:00.000Z',
      '2027-03-08T09:00:00.000Z',
      '2027-03-08T09:00:00.000Z',
    ]);

    h.sink.clear();
    h.clock.set('2027-01-07T10:00:00Z');
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: Done [${c.ref}]`,
        messageId: '<resume-1@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'resume',
      }),
    );
    await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Done:') ?? false);
    await h.settle();
    const resumed = (await h.caseByRef(c.ref))!;
    expect(resumed.status).toBe('open');
    // The pause lasted two days of the seven: the rungs come back five days (less an hour).
    expect(await due()).toEqual([
      '2027-01-20T10:00:00.000Z',
      '2027-01-27T10:00:00.000Z',
      '2027-02-03T10:00:00.000Z',
      '2027-02-17T10:00:00.000Z',
      '2027-03-03T10:00:00.000Z',
      '2027-03-03T10:00:00.000Z',
    ]);
    expect(resumed.nextActionAt?.toISOString()).toBe('2027-01-20T10:00:00.000Z');
  });

  it('a spoofed RESOLVED (DMARC fail at our server) changes nothing and is flagged to the RM', async () => {
    h.clock.set('2027-01-11T10:00:00Z');
    const c = await open();
    const before = await state(c.ref);
    h.sink.clear();
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: Case opened [${c.ref}]`,
        messageId: '<spoof-1@attacker.example>',
        date: h.clock.now(),
        inReplyTo: c.request,
        headers: {
          'Authentication-Results':
            'mx.sunrise-homes.org.uk; spf=fail smtp.mailfrom=attacker.example; dkim=none; dmarc=fail (p=reject) header.from=sunrise-homes.org.uk',
        },
        body: 'RESOLVED',
      }),
    );
    const m = await verdict('<spoof-1@attacker.example>');
    expect(m.route).toBe('flagged');
    expect(m.reason).toContain('DMARC');
    const flagged = await h.sink.waitFor((x) => x.parsed.subject?.startsWith('Not acted on — please check:') ?? false);
    expect(flagged.parsed.text).toContain('has not changed anything');
    await h.settle();
    expect(await state(c.ref)).toEqual(before);
    expect((await h.caseByRef(c.ref))!.status).toBe('open');
  });

  it('an unreadable Date header falls back to the mailbox’s INTERNALDATE, and an old request does not fire every rung at once', async () => {
    h.clock.set('2027-01-12T10:00:00Z');
    // Dovecot keeps only past INTERNALDATEs, so the mailbox says Monday 6 January 2020.
    const c = await open('', { date: 'sometime last week', internalDate: new Date('2020-01-06T14:30:00Z') });
    const s = await state(c.ref);
    expect(s.openedAt).toBe('2020-01-06T14:30:00.000Z');
    const m = await h.em().findOne(Message, { messageId: c.request });
    expect((m?.analysis as { dateFromHeader: boolean }).dateFromHeader).toBe(false);
    // The first rung (long overdue) went now; the others keep their spacing from it.
    expect(s.steps.map((x) => [x.status, x.sentAt ?? x.dueAt])).toEqual([
      ['sent', '2027-01-12T10:00:00.000Z'],
      ['planned', '2027-01-19T10:00:00.000Z'],
      ['planned', '2027-01-26T10:00:00.000Z'],
      ['planned', '2027-02-09T10:00:00.000Z'],
      ['planned', '2027-02-23T10:00:00.000Z'],
      ['planned', '2027-02-23T10:00:00.000Z'],
    ]);
  });
});
