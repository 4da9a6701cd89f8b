/**
 * Issue 15.3 on the real services: "the same day" is the same day. An imminent-risk practice
 * disagreement raised at 17:30 on Christmas Eve 2026 (5.5: "escalate the matter to the highest
 * management level possible on the same day") reaches the Deputy Director, the organisation's own
 * manager, that evening through the SMTP sink, not on Tuesday 29 December when the send window
 * next opens. Europe/London is on GMT in December, so 17:30 local is 17:30 UTC.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const OPENED = '2026-12-24T17:30:00Z';
const PRACTITIONER = 'chris.lee@sunrise-homes.org.uk';
const DEPUTY = 'dee.price@sunrise-homes.org.uk';

describe('same day means the same day (sendWindow: always)', () => {
  let h: EscalatorHarness;
  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'same_day', start: OPENED });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  it('an imminent-risk case raised at 17:30 on Christmas Eve reaches the Deputy Director that evening', async () => {
    await h.append(
      rfc822({
        from: `Chris Lee <${PRACTITIONER}>`,
        to: 'Taylor Reed <taylor.reed@sunrise-homes.org.uk>',
        cc: INBOX,
        subject: 'Disagreement about a return home [escalate]',
        messageId: '<same-day-imminent@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: [
          'Ladder: practice-disagreement',
          'Child: AB-7001',
          'Imminent risk: yes',
          `Deputy director: Dee Price <${DEPUTY}>`,
          'PSW: Pat Quinn <pat.quinn@sunrise-homes.org.uk>',
          '',
          'I believe the child is at imminent risk if the return home goes ahead tomorrow.',
        ].join('\r\n'),
      }),
    );
    const confirmation = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Case opened: Disagreement about a return home [') ?? false);
    const ref = /\[(ESC-\d{4}-\d{4})\]/.exec(confirmation.parsed.subject!)![1]!;
    // The confirmation promises that evening, not the next opening.
    expect(confirmation.parsed.text).toContain('Thursday 24 December 2026 at 17:30');
    expect(confirmation.parsed.text).not.toContain('Tuesday 29 December 2026 at 09:00 —');
    // The clock has not moved: it reaches the sink on Christmas Eve.
    // Its subject says what it is (issue 20.5); the RM's copy begins 'Sent:'.
    const chaser = await h.sink.waitFor(
      (m) =>
        !!m.parsed.subject?.endsWith(`Disagreement about a return home [${ref}]`) && !m.parsed.subject.startsWith('Sent:') && m.envelope.to.includes(DEPUTY),
    );
    expect(chaser.envelope.to).toContain(DEPUTY);
    const sent = await waitFor(
      async () => {
        const row = await h.em().findOne(OutboxMail, { messageId: chaser.messageId });
        return row?.status === 'sent' ? row : undefined;
      },
      { what: 'the chaser to the Deputy Director to be recorded as sent' },
    );
    expect(sent.sentAt?.toISOString()).toBe('2026-12-24T17:30:00.000Z');
    expect(sent.waitsForWindow).toBe(false);
    // The Deputy Director has their whole next working day: Tuesday 29 December.
    expect(chaser.parsed.text).toContain('by the end of Tuesday 29 December 2026');
  });
});
