/**
 * Issue 15.3 on the real services: the out-of-hours address. An imminent-risk practice
 * disagreement raised at 17:30 on Christmas Eve 2026 (5.5: "escalate the matter to the highest
 * management level possible on the same day") is written at once to the home's Emergency Duty Team
 * from the directory, with why they have it, what is asked, who the daytime recipient is and the
 * "What this is about" block; the Deputy Director is written to as well (mode in-addition): at
 * once when they are the organisation's own, at the window's opening (Tuesday 29 December, 09:00)
 * when they are not. Europe/London is on GMT in December, so local times are UTC.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';
import { waitFor } from '../support/wait.js';

const OPENED = '2026-12-24T17:30:00Z';
const PRACTITIONER = 'chris.lee@sunrise-homes.org.uk';
const EDT = 'edt@sunrise-homes.org.uk';

function request(subject: string, messageId: string, deputy: string, date: Date): string {
  return rfc822({
    from: `Chris Lee <${PRACTITIONER}>`,
    to: 'Taylor Reed <taylor.reed@sunrise-homes.org.uk>',
    cc: INBOX,
    subject,
    messageId,
    date,
    body: [
      'Ladder: practice-disagreement',
      'Child: AB-7001',
      'Imminent risk: yes',
      `Deputy director: Dee Price <${deputy}>`,
      'PSW: Pat Quinn <pat.quinn@sunrise-homes.org.uk>',
      '',
      'I believe the child is at imminent risk if the return home goes ahead tomorrow morning.',
    ].join('\r\n'),
  });
}

describe('out of hours: the Emergency Duty Team (outOfHours: in-addition)', () => {
  let h: EscalatorHarness;
  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'out_of_hours', start: OPENED, directory: 'test/fixtures/directory-out-of-hours.yaml' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  const sentRow = (messageId: string, what: string) =>
    waitFor(
      async () => {
        const row = await h.em().findOne(OutboxMail, { messageId });
        return row?.status === 'sent' ? row : undefined;
      },
      { what },
    );

  it('17:30 on Christmas Eve: the EDT and the Deputy Director (staff) are written to that evening', async () => {
    const deputy = 'dee.price@sunrise-homes.org.uk';
    await h.append(request('Return home tomorrow [escalate]', '<ooh-staff@sunrise-homes.org.uk>', deputy, h.clock.now()));
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened: Return home tomorrow [') ?? false);
    const ref = /\[(ESC-\d{4}-\d{4})\]/.exec(confirmation.parsed.subject!)![1]!;
    // The confirmation's timetable says who was written to out of hours.
    expect(confirmation.parsed.text).toContain(`out of hours: also to the Emergency Duty Team, ${EDT}, at once`);

    const edt = await h.sink.waitFor((m) => m.envelope.to.includes(EDT));
    expect(edt.parsed.subject).toBe(`Out of hours — URGENT: Meeting request to the Deputy Director — Return home tomorrow [${ref}]`);
    expect(edt.envelope.to).toEqual([EDT]);
    const text = edt.parsed.text!;
    expect(text).toContain('You are receiving this as the Emergency Duty Team because an urgent step of an escalation by Sunrise');
    expect(text).toContain('fell due out of hours, at Thursday 24 December 2026 at 17:30');
    expect(text).toContain('It asks the Deputy Director for a meeting and a decision');
    expect(text).toContain('Dee Price (Deputy Director) has been sent it at the same time');
    // The same "What this is about" block as anyone new up the ladder: the request's own words.
    expect(text).toContain('What this is about:');
    expect(text).toContain('> I believe the child is at imminent risk if the return home goes ahead tomorrow morning.');
    expect((await sentRow(edt.messageId, 'the EDT mail to be sent')).sentAt?.toISOString()).toBe('2026-12-24T17:30:00.000Z');

    const chaser = await h.sink.waitFor((m) => m.envelope.to.includes(deputy));
    expect(chaser.parsed.subject).toBe(`URGENT — safeguarding — Escalation to the Deputy Director: Return home tomorrow [${ref}]`);
    expect(chaser.envelope.to).not.toContain(EDT);
    // Composed in the opening decision too, it quotes the request (its new text is stored before the mails are composed).
    expect(chaser.parsed.text).toContain('> I believe the child is at imminent risk if the return home goes ahead tomorrow morning.');
    expect((await sentRow(chaser.messageId, 'the chaser to the Deputy Director to be sent')).sentAt?.toISOString()).toBe('2026-12-24T17:30:00.000Z');

    // The RM's step notice says it too.
    const notice = await h.sink.waitFor(
      (m) => m.parsed.subject?.startsWith('Sent: Meeting request to the Deputy Director') === true && m.parsed.subject.includes(ref),
    );
    expect(notice.parsed.text).toContain(`Out of hours: also sent now to the Emergency Duty Team (${EDT})`);
  });

  it('a Deputy Director outside the organisation: the EDT that evening, the Deputy Director when the window opens on 29 December', async () => {
    const deputy = 'dee.price@partner-trust.nhs.uk';
    await h.append(request('Contact tomorrow [escalate]', '<ooh-outside@sunrise-homes.org.uk>', deputy, h.clock.now()));
    const edt = await h.sink.waitFor((m) => m.envelope.to.includes(EDT) && (m.parsed.subject?.includes('Contact tomorrow') ?? false));
    expect(edt.parsed.text).toContain('Dee Price (Deputy Director) will be sent it when the working day starts, at Tuesday 29 December 2026 at 09:00');
    expect((await sentRow(edt.messageId, 'the EDT mail to be sent')).sentAt?.toISOString()).toBe('2026-12-24T17:30:00.000Z');
    await h.settle();
    expect(h.sink.messages.some((m) => m.envelope.to.includes(deputy))).toBe(false);

    await h.advanceTo('2026-12-29T09:00:00Z');
    const chaser = await h.sink.waitFor((m) => m.envelope.to.includes(deputy));
    expect((await sentRow(chaser.messageId, 'the chaser to the Deputy Director to be sent')).sentAt?.toISOString()).toBe('2026-12-29T09:00:00.000Z');
  });

  it('reg 5 safeguarding, ESCALATE at 22:00: the placing authority’s EDT that night, the professional at 09:00, the home’s own on-call address never', async () => {
    const sam = 'sam.patel@northshire.gov.uk';
    const authorityEdt = 'edt@northshire.gov.uk';
    await h.advanceTo('2026-12-29T10:00:00Z');
    h.sink.clear();
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: `Sam Patel <${sam}>`,
        cc: INBOX,
        subject: 'Family time plan for AB-1234 [escalate]',
        messageId: '<ooh-reg5@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'Hi Sam,\r\n\r\nThe risk assessment for Thursday’s family time has not been done.\r\n\r\nLadder: childrens-home-reg5\r\nChild: AB-1234\r\nSafeguarding: yes\r\n',
      }),
    );
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened: Family time plan') ?? false);
    const ref = /\[(ESC-\d{4}-\d{4})\]/.exec(confirmation.parsed.subject!)![1]!;
    await h.settle();

    await h.advanceTo('2026-12-29T22:00:00Z');
    h.sink.clear();
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `RE: ${confirmation.parsed.subject!}`,
        messageId: '<ooh-reg5-escalate@sunrise-homes.org.uk>',
        date: h.clock.now(),
        inReplyTo: confirmation.messageId,
        references: `<ooh-reg5@sunrise-homes.org.uk> ${confirmation.messageId}`,
        body: 'ESCALATE',
      }),
    );
    const edt = await h.sink.waitFor((m) => m.envelope.to.includes(authorityEdt));
    expect(edt.envelope.to).toEqual([authorityEdt]);
    expect(edt.parsed.subject).toBe(`Out of hours — URGENT: Reminder to the professional — Family time plan for AB-1234 [${ref}]`);
    const text = edt.parsed.text!;
    expect(text).toContain('was brought forward out of hours, at Tuesday 29 December 2026 at 22:00');
    expect(text).toContain('will be sent it when the working day starts, at Wednesday 30 December 2026 at 09:00');
    expect(text).toContain('> The risk assessment for Thursday’s family time has not been done.');
    expect((await sentRow(edt.messageId, 'the EDT mail to be sent')).sentAt?.toISOString()).toBe('2026-12-29T22:00:00.000Z');
    await h.settle();
    expect(h.sink.messages.some((m) => m.envelope.to.includes(sam))).toBe(false);
    // The home's own on-call address is not the placing authority's duty team.
    expect(h.sink.messages.some((m) => m.envelope.to.includes(EDT))).toBe(false);

    h.sink.clear();
    await h.advanceTo('2026-12-30T09:00:00Z');
    const chaser = await h.sink.waitFor((m) => m.envelope.to.includes(sam));
    expect((await sentRow(chaser.messageId, 'the professional’s reminder to be sent')).sentAt?.toISOString()).toBe('2026-12-30T09:00:00.000Z');
    await h.settle();
    expect(h.sink.messages.some((m) => m.envelope.to.includes(authorityEdt))).toBe(false);
  });
});
