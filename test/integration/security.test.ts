// Who may change a case, and what the service echoes back: strangers quoting a case tag, replying
// in the thread or writing to a case's private address; a forged RESOLVED; commands written by a
// chased professional; HTML and script in a subject and a directive, rendered into the mails and
// the evidence pack. (A forged RESOLVED through the thread is in inbound-understanding.test.ts.)
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/program.js';
import type { CaseState } from '../../src/domain/case/case-state.js';
import { plusAddress } from '../../src/domain/inbound/plus-address.js';
import { CaseMail, captureIo, writeHarnessConfig, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const MALLORY = 'mallory@example.com';

describe('security: who may change a case, and what the service echoes back', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let n = 0;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'security', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  const openCase = (extra: string[] = []) =>
    mail.open({ professional: `Sam Patel <${SAM}>`, directives: [`Child: AB-40${++n}`, `Team manager: Jo Bennett <${JO}>`, ...extra] });

  async function state(c: OpenedCase): Promise<CaseState> {
    return (await h.caseByRef(c.ref))!.state;
  }

  async function verdict(messageId: string) {
    return (
      await h
        .em()
        .execute<{ status: string; route: string; reason: string | null; case_id: string | null; analysis: { classification: { class: string } } }[]>(
          `select status, route, reason, case_id, analysis from message where message_id = ?`,
          [messageId],
        )
    )[0]!;
  }

  async function deliver(headers: {
    from: string;
    to?: string;
    subject: string;
    body: string;
    inReplyTo?: string;
    headers?: Record<string, string>;
  }): Promise<string> {
    const id = `<security-${++n}@${headers.from.split('@')[1]!.replace('>', '')}>`;
    await mail.deliver(
      rfc822({ to: INBOX, date: h.clock.now(), messageId: id, ...(headers.inReplyTo ? { references: headers.inReplyTo } : {}), ...headers }),
      id,
    );
    await h.promoteDue();
    await h.settle();
    return id;
  }

  it('a stranger quoting a case tag changes nothing; the message is flagged and the RM told', async () => {
    const c = await openCase();
    const before = await state(c);
    h.sink.clear();
    const id = await deliver({
      from: `Mallory <${MALLORY}>`,
      subject: `Re: LAC review minutes [${c.ref}]`,
      body: 'RESOLVED\r\n\r\nThe minutes are attached and this is now done.',
    });
    const v = await verdict(id);
    expect(v).toMatchObject({ status: 'processed', route: 'flagged', reason: 'case reference quoted by someone who is not on the case', case_id: c.id });
    expect(await state(c)).toEqual(before);
    const told = h.sink.messages.filter((m) => m.envelope.to.includes(RM));
    expect(told).toHaveLength(1);
    expect(told[0]!.parsed.subject).toContain(c.ref);
    // A stranger's words are not quoted to the RM (they would reach the evidence pack through the notice).
    expect(told[0]!.parsed.subject).toMatch(/^Not acted on — please check: /);
    expect(told[0]!.parsed.text).not.toContain('this is now done');
    expect(told[0]!.parsed.text).not.toContain('What it said');
    expect(h.sink.messages.some((m) => m.envelope.to.includes(MALLORY))).toBe(false);
  });

  it('a stranger replying in the thread, or writing to the case’s private address, changes nothing either', async () => {
    const c = await openCase();
    const before = await state(c);
    const inThread = await deliver({ from: MALLORY, subject: 'Re: LAC review minutes', inReplyTo: c.requestId, body: 'RESOLVED' });
    expect(await verdict(inThread)).toMatchObject({ route: 'flagged', reason: 'reply from an address that is not on the case' });
    const toToken = await deliver({
      from: MALLORY,
      to: plusAddress(INBOX, before.token),
      subject: 'minutes',
      body: 'Please find the minutes attached, this is now done.',
    });
    expect(await verdict(toToken)).toMatchObject({ route: 'flagged', case_id: c.id });
    expect(await state(c)).toEqual(before);
  });

  it('a forged RESOLVED that claims to be the RM but failed DMARC changes nothing, whichever way it finds the case', async () => {
    // An hour on: the strangers above used the hour's allowance of notices about flagged messages.
    await h.advanceTo(new Date(h.clock.now().getTime() + 3600_000).toISOString());
    const c = await openCase();
    const before = await state(c);
    h.sink.clear();
    const forged = await deliver({
      from: `Alex Morgan <${RM}>`,
      to: plusAddress(INBOX, before.token),
      subject: `Re: Case opened [${c.ref}]`,
      headers: {
        'Authentication-Results':
          'mx.sunrise-homes.org.uk; spf=fail smtp.mailfrom=attacker.example; dkim=none; dmarc=fail (p=reject) header.from=sunrise-homes.org.uk',
      },
      body: 'RESOLVED',
    });
    expect(await verdict(forged)).toMatchObject({
      route: 'flagged',
      reason: 'sender failed verification (DMARC failed at our mail server); nothing was changed',
    });
    // The From names someone on the case: the RM is shown the words that were not acted on, to judge them.
    const told = h.sink.messages.filter((m) => m.envelope.to.includes(RM) && (m.parsed.subject?.startsWith('Not acted on — please check: ') ?? false));
    expect(told).toHaveLength(1);
    expect(told[0]!.parsed.text).toMatch(/What it said \(not acted on\):\n {2}RESOLVED\n/);
    expect(await state(c)).toEqual(before);
    expect((await h.caseByRef(c.ref))!.status).toBe('open');
  });

  it('a chased professional’s RESOLVED, ESCALATE or PAUSE is read as a reply, never as a command', async () => {
    const c = await openCase();
    const before = await state(c);
    for (const body of ['RESOLVED', 'ESCALATE', 'PAUSE until 31 December 2026', 'CLOSE']) {
      const id = await deliver({ from: `Sam Patel <${SAM}>`, subject: `RE: LAC review minutes [${c.ref}]`, inReplyTo: c.requestId, body });
      const v = await verdict(id);
      expect(v.route, body).toBe('reply');
      expect(v.analysis.classification.class, body).toBe('other');
      const now = await state(c);
      expect(now.status, body).toBe('open');
      expect(now.nextActionAt, body).toBe(before.nextActionAt);
      expect(now.pause, body).toBeUndefined();
      expect(
        now.steps.filter((s) => s.status === 'sent'),
        body,
      ).toHaveLength(0);
    }
    // What does move it is the reply classifier reading that the work is done: the RM is asked to confirm.
    await deliver({
      from: `Sam Patel <${SAM}>`,
      subject: `RE: LAC review minutes [${c.ref}]`,
      inReplyTo: c.requestId,
      // A bare 'attached' with nothing attached no longer reads as done (issue 14); a sending does.
      body: 'I have sent the minutes to Alex by post today, so this is now done.',
    });
    expect((await h.caseByRef(c.ref))!.status).toBe('awaiting-confirmation');
  });

  it('HTML and script in a subject and a directive are escaped in the confirmation, the chaser and the evidence pack', async () => {
    h.clock.set('2026-11-24T10:00:00Z');
    h.sink.clear();
    const c = await mail.open({
      professional: `Sam Patel <${SAM}>`,
      subject: 'Minutes <img src=x onerror=alert(1)> for review [escalate]',
      directives: ['Child: AB-4999', 'Team manager: <script>alert(1)</script> <jo.bennett@northshire.gov.uk>', 'Category: <b onmouseover=alert(2)>minutes</b>'],
    });
    const confirmation = await h.sink.waitFor((m) => m.envelope.to.includes(RM) && (m.parsed.subject?.includes(c.ref) ?? false));
    await h.advanceTo('2026-12-08T10:00:00Z');
    const chaser = await h.sink.waitFor((m) => m.messageId === mail.chaserId(c, 1));
    for (const m of [confirmation, chaser]) {
      const html = String(m.parsed.html);
      expect(html).toContain('&lt;img src');
      expect(html).not.toMatch(/<img[^>]*onerror/i);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<b onmouseover/i);
      // The subject line itself carries the text, not markup that a client could render.
      expect(m.parsed.subject).toContain('<img src=x onerror=alert(1)>');
    }

    const run = captureIo(h.loaded.baseDir);
    expect(await runCli(['--config', writeHarnessConfig(h), 'case-history', c.ref, '--format', 'html'], run.io)).toBe(0);
    const pack = run.out.join('\n');
    expect(pack).toContain(c.ref);
    expect(pack).toContain('&lt;img src');
    expect(pack).not.toMatch(/<img[^>]*onerror/i);
    expect(pack).not.toMatch(/<script>alert/i);
    expect(pack).not.toMatch(/<b onmouseover/i);
  });
});
