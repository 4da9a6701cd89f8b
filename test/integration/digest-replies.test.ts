// Issue 20 point 6, through real mail: the RM answers the weekly digest. Each line that names a
// case is applied to that case (and acknowledged in its thread), an unverified sender is asked to
// CONFIRM as for any command, and whatever names no case — or no case of ours — is answered in one
// mail: nothing the RM wrote is dropped. The digest's missing-contacts line names the case and the
// role it lacks. Reg 5 cases opened Monday 23 November 2026 at 10:00 (GMT).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import type { CapturedMessage } from '../support/smtp-sink.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const ORG = 'sunrise-homes';
const TM = 'Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>';

const isDigest = (m: CapturedMessage) => m.parsed.subject?.startsWith('Weekly escalations digest') ?? false;
const isAnswer = (m: CapturedMessage) => m.envelope.to.includes(RM) && /^(Nothing changed|Not all done) — your message/.test(m.parsed.subject ?? '');

describe('replies to the weekly digest', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let digest: CapturedMessage;
  const c: Record<'pause' | 'contact' | 'close' | 'untouched', OpenedCase> = {} as never;
  let n = 0;

  beforeAll(async () => {
    h = await EscalatorHarness.start({
      name: 'digest_replies',
      start: '2026-11-23T10:00:00Z',
      org: { digest: { enabled: true, day: 'monday', time: '08:00' } },
    });
    mail = new CaseMail(h);
    c.pause = await mail.open({ professional: 'Sam Patel <sam.patel@northshire.gov.uk>', directives: ['Child: AB-5001', TM] });
    // No team manager: the second step has nobody to go to.
    c.contact = await mail.open({ professional: 'Kim Three <kim.three@northshire.gov.uk>', directives: ['Child: AB-5002'] });
    c.close = await mail.open({ professional: 'Lee Four <lee.four@northshire.gov.uk>', directives: ['Child: AB-5003', TM] });
    c.untouched = await mail.open({ professional: 'Ann Five <ann.five@northshire.gov.uk>', directives: ['Child: AB-5004', TM] });
    // The team manager step is next for the case without one: ESCALATE takes it there.
    await mail.command(c.contact, ['ESCALATE']);
    h.sink.clear();
    await h.service.queues.add('weekly-digest', { orgId: ORG });
    digest = await h.sink.waitFor(isDigest);
    await h.settle();
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  /** The RM's reply to the digest, quoting it below as Outlook does. */
  async function replyToDigest(lines: string[], opts: { verified?: boolean } = {}): Promise<string> {
    const id = `<digest-reply-${++n}@sunrise-homes.org.uk>`;
    const quoted = (digest.parsed.text ?? '')
      .split('\n')
      .slice(0, 40)
      .map((l) => `> ${l}`)
      .join('\r\n');
    await mail.deliver(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `RE: ${digest.parsed.subject}`,
        messageId: id,
        date: h.clock.now(),
        inReplyTo: digest.parsed.messageId!,
        references: digest.parsed.messageId!,
        ...(opts.verified === false ? { headers: { 'Authentication-Results': 'mx.sunrise-homes.org.uk; dmarc=none header.from=sunrise-homes.org.uk' } } : {}),
        body: [...lines, '', 'Alex', '', `On Mon, 23 Nov 2026 at 10:00, Escalations <${INBOX}> wrote:`, quoted].join('\r\n'),
      }),
      id,
    );
    await h.settle();
    return id;
  }

  const inThread = (x: OpenedCase) => h.sink.messages.filter((m) => m.envelope.to.includes(RM) && (m.parsed.subject?.includes(`[${x.ref}]`) ?? false));
  const state = async (x: OpenedCase) => (await h.caseByRef(x.ref))!.state;

  it('the digest shows the missing role with the case’s own line to send back, and says how to reply', () => {
    const text = (digest.parsed.text ?? '').replace(/\n\s*/g, ' ');
    expect(text).toContain(`no address for team manager (reply e.g. "${c.contact.ref} Team manager: Name <address>")`);
    expect(text).toContain('To act on a case from here, reply with its reference and then the command, one case to a line');
    expect(text).not.toContain('nothing in it needs a reply');
  });

  it('each line goes to the case it names; a command naming no case and a reference not ours are answered', async () => {
    const before = await state(c.untouched);
    h.sink.clear();
    const id = await replyToDigest([
      'Hi,',
      '',
      `${c.pause.ref} PAUSE until 4 January 2027`,
      `${c.contact.ref} Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>`,
      'PAUSE until 5 January 2027',
      'ESC-2026-0999 RESOLVED',
    ]);
    expect((await state(c.pause)).pause?.until).toBe('2027-01-04T09:00:00.000Z');
    expect((await h.caseByRef(c.pause.ref))!.status).toBe('paused');
    expect((await state(c.contact)).participants.some((p) => p.role === 'team-manager' && p.email === 'jo.bennett@northshire.gov.uk')).toBe(true);
    // The case the reply quoted but did not name is as it was.
    expect(await state(c.untouched)).toEqual(before);
    // Each case answers in its own thread.
    const done = (x: OpenedCase) => inThread(x).filter((m) => m.parsed.subject?.startsWith('Done:'));
    expect(done(c.pause)).toHaveLength(1);
    expect(done(c.contact)).toHaveLength(1);
    expect(done(c.untouched)).toEqual([]);
    // The rest in one answer to the RM.
    const answers = h.sink.messages.filter(isAnswer);
    expect(answers).toHaveLength(1);
    const answer = answers[0]!;
    expect(answer.parsed.subject).toMatch(/^Not all done — your message “RE: Weekly escalations digest/);
    const text = (answer.parsed.text ?? '').replace(/\n\s*/g, ' ');
    expect(text).toContain('ESC-2026-0999: there is no case with this reference here, so nothing was changed.');
    expect(text).toContain('"PAUSE until 5 January 2027": it does not say which case it is for.');
    expect(text).toContain('The rest has been done');
    // It answers the RM's message, in the digest's thread, not as a new conversation.
    expect(answer.parsed.inReplyTo).toBe(id);
    expect([answer.parsed.references ?? []].flat()).toEqual([digest.parsed.messageId, id]);
    const row = await h.em().execute<{ route: string; case_id: string | null }[]>(`select route, case_id from message where message_id = ?`, [id]);
    expect(row).toEqual([{ route: 'command', case_id: null }]);
  });

  it('an unverified sender’s line is carried out only after CONFIRM from the RM’s mailbox, as for any command', async () => {
    h.sink.clear();
    await replyToDigest([`${c.close.ref} CLOSE`], { verified: false });
    expect((await h.caseByRef(c.close.ref))!.status).toBe('open');
    const ask = h.sink.messages.find((m) => m.envelope.to.includes(RM) && (m.parsed.subject?.includes(`[${c.close.ref}]`) ?? false));
    const token = /CONFIRM ([A-Z2-7]{20})/.exec(ask?.parsed.text ?? '')?.[1];
    expect(token, 'a CONFIRM code in the case’s thread').toBeTruthy();
    expect(h.sink.messages.filter(isAnswer)).toEqual([]);
    const confirm = `<digest-confirm-${++n}@sunrise-homes.org.uk>`;
    await mail.deliver(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: ${ask!.parsed.subject}`,
        messageId: confirm,
        date: h.clock.now(),
        inReplyTo: ask!.parsed.messageId!,
        references: ask!.parsed.messageId!,
        body: `CONFIRM ${token}\r\n\r\nAlex`,
      }),
      confirm,
    );
    expect((await h.caseByRef(c.close.ref))!.status).toBe('closed');
  });

  it('in one case’s thread, a line naming another case goes to that case, the rest stays with this one, and what fails is answered in the thread', async () => {
    const before = await state(c.untouched);
    h.sink.clear();
    const id = `<thread-lines-${++n}@sunrise-homes.org.uk>`;
    await mail.deliver(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: ${c.untouched.subject} [${c.untouched.ref}]`,
        messageId: id,
        date: h.clock.now(),
        inReplyTo: c.untouched.requestId,
        references: c.untouched.requestId,
        body: ['EXTEND 2 days', `${c.contact.ref} PAUSE until 11 January 2027`, 'ESC-2026-0998 CLOSE', '', 'Alex'].join('\r\n'),
      }),
      id,
    );
    // This case's own line is this case's; the other case's line is not read as this case's PAUSE.
    const after = await state(c.untouched);
    expect(after.pause).toBeUndefined();
    expect(after.nextActionAt).not.toBe(before.nextActionAt);
    expect(inThread(c.untouched).filter((m) => m.parsed.subject?.startsWith('Done:'))).toHaveLength(1);
    // The line naming another case went to it, and is acknowledged in its own thread.
    expect((await state(c.contact)).pause?.until).toBe('2027-01-11T09:00:00.000Z');
    expect(inThread(c.contact).filter((m) => m.parsed.subject?.startsWith('Done:'))).toHaveLength(1);
    // A reference that is not ours is answered, under the RM's message.
    const answers = h.sink.messages.filter(isAnswer);
    expect(answers).toHaveLength(1);
    expect((answers[0]!.parsed.text ?? '').replace(/\n\s*/g, ' ')).toContain(
      'ESC-2026-0998: there is no case with this reference here, so nothing was changed.',
    );
    expect(answers[0]!.parsed.inReplyTo).toBe(id);
    // The message stays on the record of the case whose thread it was written in.
    const row = await h.em().execute<{ case_id: string | null }[]>(`select case_id from message where message_id = ?`, [id]);
    expect(row).toEqual([{ case_id: c.untouched.id }]);
  });

  it('a reply naming no case and no command is answered too, with how to write one', async () => {
    h.sink.clear();
    await replyToDigest(['Thanks, very useful.']);
    const answers = h.sink.messages.filter(isAnswer);
    expect(answers).toHaveLength(1);
    expect(answers[0]!.parsed.subject).toMatch(/^Nothing changed — your message/);
    const text = (answers[0]!.parsed.text ?? '').replace(/\n\s*/g, ' ');
    expect(text).toContain('names no case, and I found no command in it, so nothing was changed.');
    expect(text).toMatch(/ESC-2026-0012 PAUSE until \d{1,2} December/);
  });
});
