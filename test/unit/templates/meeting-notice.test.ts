/**
 * The RM's notice when a chased recipient confirms the meeting a FIRO stage asked for: it says
 * the meeting's date and that the next stage waits for its outcome, not that something was
 * promised. FIRO opened Monday 2 November 2026 10:00; stage 2 went Monday 9 November 10:00; the
 * Fostering Service Manager replies on Tuesday 10 November with the meeting on Thursday 19
 * November, so stage 3 (due Monday 16 November) is held until Friday 20 November 09:00.
 */
import { describe, expect, it } from 'vitest';
import { applyRecipientReply } from '../../../src/domain/case/apply-reply.js';
import { timetableRows } from '../../../src/domain/case/timetable-view.js';
import { buildMailContext } from '../../../src/outbound/render/mail-context.js';
import { renderMail, templateNameFor } from '../../../src/outbound/render/render-mail.js';
import { sampleCase } from '../../../src/outbound/render/sample-case.js';
import { ladder, store } from './template-helpers.js';

describe('a meeting confirmed at a FIRO meeting rung', () => {
  const sample = sampleCase({ ladder: ladder('firo-dispute-resolution'), rung: 'stage-2-meeting' });
  const now = new Date('2026-11-10T10:00:00Z');
  const text = 'I can confirm the meeting for Thursday 19 November at 10am.';
  const decision = applyRecipientReply(
    sample.fired.state,
    {
      from: { email: 'fsm@northshire.example' },
      role: 'fostering-service-manager',
      classification: { class: 'other', meetingDate: '2026-11-19', meetingEvidence: 'confirm the meeting for Thursday 19 November' },
      messageKey: 'meeting',
      newText: text,
    },
    sample.context(now),
  );

  it('tells the RM the meeting’s date and how long the next stage waits for it', () => {
    expect(sample.firedAt.toISOString()).toBe('2026-11-09T09:00:00.000Z');
    const intent = decision.mails.find((m) => m.kind === 'reply-notice')!;
    const mail = renderMail(store, templateNameFor(intent), buildMailContext(decision.state, intent, sample.context(now), sample.org.mailbox));
    const flat = mail.text.replace(/\s+/g, ' ');
    expect(flat).toContain(
      'They have confirmed the meeting for Thursday 19 November 2026. The next step waits for its outcome: it is held until Friday 20 November 2026 at 09:00.',
    );
    expect(flat).toContain('If the meeting resolves the concerns, reply RESOLVED');
    expect(flat).not.toContain('promised');
    expect(mail.html).toContain('They have confirmed the meeting for Thursday 19 November 2026.');
    expect(mail.text).toContain(text);
  });

  it('the timetable says what the step is held for', () => {
    const row = timetableRows(decision.state, sample.context(now)).find((r) => r.rung === 'stage-3-head-of-service')!;
    expect(row.atText).toBe('Friday 20 November 2026 at 09:00 (held for the meeting on Thursday 19 November 2026)');
  });
});
