// What the service logs while it does its work: a realistic case from request to resolution, with
// a child reference in the subject and the body, names in the directives, a command, an
// out-of-office, a chaser and a reply. Every captured log line is scanned for the things that must
// never be in a log: message text, the child reference, the subject, people's names, the secret,
// the case's private token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, SECRET, rfc822 } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const BODY = 'The looked after review on 2 November agreed the health assessment referral would be made within ten days';
const REPLY = 'Apologies for the delay: I have sent the health assessment to Alex by post today, so this is now done';
const NOTE = 'Spoke to the social worker by telephone about the placement';
const CHILD = 'AB-1234';
const SUBJECT = `Health assessment referral for ${CHILD} [escalate]`;

describe('logs carry no message text, child reference, names or secrets', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'logs', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });

  it('through a whole case: request, command, out-of-office, chaser, reply, resolution', async () => {
    const c = await mail.open({
      professional: `Sam Patel <${SAM}>`,
      subject: SUBJECT,
      body: `${BODY}.`,
      directives: [`Child: ${CHILD}`, 'Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>', 'Category: Health assessment'],
    });
    await mail.command(c, [`NOTE: ${NOTE}`]);
    const ooo = '<logs-ooo@northshire.gov.uk>';
    await mail.deliver(
      rfc822({
        from: `Sam Patel <${SAM}>`,
        to: INBOX,
        subject: `Automatic reply: ${SUBJECT}`,
        messageId: ooo,
        date: h.clock.now(),
        inReplyTo: c.requestId,
        headers: { 'Auto-Submitted': 'auto-replied' },
        body: 'I am away until Monday 30 November with no access to email. Please contact Priya Shah.',
      }),
      ooo,
    );
    await h.advanceTo('2026-12-07T10:00:00Z');
    await h.sink.waitFor((m) => m.messageId === mail.chaserId(c, 1));
    await h.settle();
    await mail.reply(c, `Sam Patel <${SAM}>`, `${REPLY}.`, { step: 1, attachment: { filename: 'minutes.pdf', content: '%PDF-1.4 minutes' } });
    // A done reply waits for the RM's confirmation (issue 14).
    expect((await h.caseByRef(c.ref))!.status).toBe('awaiting-confirmation');
    const token = (await h.caseByRef(c.ref))!.token;

    const logs = h.logs.raw.join('\n');
    // The flow really was logged (a scan of nothing proves nothing).
    expect(h.logs.lines.filter((l) => l.msg === 'message ingested').length).toBeGreaterThanOrEqual(4);
    expect(h.logs.lines.some((l) => l.msg === 'mail sent')).toBe(true);
    expect(logs).toContain(c.ref);

    for (const forbidden of [
      BODY,
      REPLY,
      NOTE,
      'paediatric',
      CHILD,
      'Health assessment referral',
      SUBJECT,
      'Jo Bennett',
      'Sam Patel',
      'Alex Morgan',
      'Priya Shah',
      SECRET,
      token,
      RM,
    ]) {
      expect(logs, `the logs contain "${forbidden}"`).not.toContain(forbidden);
    }
  });
});
