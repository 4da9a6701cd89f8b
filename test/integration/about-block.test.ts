/**
 * Issue 15.2 on the real services: the concern travels up the ladder. A reg 5 request with a
 * document attached, opened on Monday 2 November 2026 at 10:00; at 4 weeks the Assistant Director,
 * who never saw the RM's email, receives through the SMTP sink a chaser with "What this is about"
 * (the request's own words, not its directive lines; the earlier reminders with their dates and
 * answers) and the request's document attached. The earlier reminders, to people who had the
 * request or were copied, carry neither.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, dmarcPass } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const PAT = 'pat.reid@northshire.gov.uk';
const PDF = Buffer.from('%PDF-1.4\n% the care plan\n');

describe('what this is about, through the real services', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'about_block', start: '2026-11-02T10:00:00Z' });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  it('the Assistant Director gets the request’s words, the steps before and the document; the reminders before do not', async () => {
    const id = '<about-request@sunrise-homes.org.uk>';
    const boundary = `b-${randomBytes(6).toString('hex')}`;
    const raw = [
      `Authentication-Results: ${dmarcPass(RM)}`,
      `From: Alex Morgan <${RM}>`,
      `To: Sam Patel <${SAM}>`,
      `Cc: ${INBOX}`,
      'Subject: LAC review minutes [escalate]',
      `Message-ID: ${id}`,
      `Date: ${h.clock.now().toUTCString().replace('GMT', '+0000')}`,
      'MIME-Version: 1.0',
      `Content-Type: multipart/mixed; boundary="${boundary}"`,
      '',
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Child: AB-4242',
      `Team manager: Jo Bennett <${JO}>`,
      `Assistant director: Pat Reid <${PAT}>`,
      '',
      'Dear Sam,',
      '',
      'The minutes of the Looked After Review held on 14 October have still not reached the home. The care plan is attached.',
      '',
      'Alex',
      `--${boundary}`,
      'Content-Type: application/pdf; name="care-plan.pdf"',
      'Content-Disposition: attachment; filename="care-plan.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      PDF.toString('base64'),
      `--${boundary}--`,
      '',
    ].join('\r\n');
    const caseId = await mail.deliver(raw, id);
    expect(caseId).toBeTruthy();
    const ref = (await h.em().execute<{ ref: string }[]>(`select ref from escalation_case where id = ?`, [caseId]))[0]!.ref;
    // A chaser's subject says what it is (Reminder N, Escalation to …); the RM's copies begin 'Sent:'.
    const isChaser = (subject: string | undefined) => !!subject && !subject.startsWith('Sent:') && subject.endsWith(`LAC review minutes [${ref}]`);

    const reminders = [];
    for (const at of ['2026-11-16T10:00:00Z', '2026-11-23T10:00:00Z']) {
      h.sink.clear();
      await h.advanceTo(at);
      reminders.push(await h.sink.waitFor((m) => isChaser(m.parsed.subject)));
      await h.settle();
    }
    for (const r of reminders) {
      expect(r.parsed.text).not.toContain('What this is about');
      expect(r.parsed.attachments).toEqual([]);
    }

    h.sink.clear();
    await h.advanceTo('2026-11-30T10:00:00Z');
    const ad = await h.sink.waitFor((m) => isChaser(m.parsed.subject) && m.envelope.to.includes(PAT));
    const text = ad.parsed.text ?? '';
    expect(text).toContain('What this is about:');
    expect(text).toContain('On Monday 2 November 2026 Alex Morgan asked Sam Patel (the professional) for this, within 2 weeks');
    expect(text).toContain('> The minutes of the Looked After Review held on 14 October have still not reached the home. The care plan is attached.');
    expect(text).not.toContain('Team manager: Jo Bennett');
    expect(text).toContain('- Monday 16 November 2026: Reminder to the professional, to Sam Patel — no reply.');
    expect(text).toContain('- Monday 23 November 2026: Reminder to the team manager, to Jo Bennett — no reply.');
    expect(text).toContain('- care-plan.pdf (');
    const files = ad.parsed.attachments.map((a) => ({ name: a.filename, bytes: a.content.toString() }));
    expect(files).toEqual([{ name: 'care-plan.pdf', bytes: PDF.toString() }]);
  });
});
