import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const KIM = 'kim.lee@northshire.gov.uk';

describe('per-recipient bundling (bundleChasers: true)', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'bundle', start: '2026-11-23T10:00:00Z', org: { bundleChasers: true } });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  it('sends one combined mail for chasers to the same people due together; each case keeps its chaser', async () => {
    const tms = [JO, JO, JO, KIM];
    for (const [i, tm] of tms.entries()) {
      await h.append(
        rfc822({
          from: `Alex Morgan <${RM}>`,
          to: `Sam Patel <${SAM}>`,
          cc: INBOX,
          subject: `Review minutes for AB-30${i} [escalate]`,
          messageId: `<bundle-${i}@sunrise-homes.org.uk>`,
          date: h.clock.now(),
          body: `Child: AB-30${i}\r\nTeam manager: ${tm}\r\n`,
        }),
      );
    }
    await h.sink.waitForCount(4);
    await h.settle();
    h.sink.clear();

    // Due at 10:00 on 7 December; chasers gather for two minutes, then go.
    await h.advanceTo('2026-12-07T10:00:00Z');
    await h.settle();
    expect(h.sink.messages.some((m) => m.envelope.to.includes(SAM))).toBe(false);
    await h.advanceTo('2026-12-07T10:02:00Z');
    const combined = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Still outstanding: 3 requests') ?? false);
    const single = await h.sink.waitFor((m) => m.envelope.to.includes(KIM) && (m.parsed.subject ?? '').startsWith('Re:'));
    await h.settle();

    expect(combined.envelope.to.sort()).toEqual([SAM, JO, RM].sort());
    // Requests are ingested concurrently, so references follow processing order: match by child.
    for (const child of ['AB-300', 'AB-301', 'AB-302']) expect(combined.parsed.text).toContain(`Review minutes for ${child} [ESC-2026-`);
    expect(combined.parsed.text).not.toContain('AB-303');
    expect(single.parsed.subject).toMatch(/^Re: Review minutes for AB-303 \[ESC-2026-000[1-4]\]$/);
    // Sam got two mails in all, not four.
    expect(h.sink.messages.filter((m) => m.envelope.to.includes(SAM) && !m.parsed.subject?.startsWith('Sent:'))).toHaveLength(2);

    const chasers = await h.em().find(OutboxMail, { kind: 'chaser' }, { orderBy: { createdAt: 'asc' } });
    expect(chasers).toHaveLength(4);
    expect(chasers.every((c) => c.status === 'sent')).toBe(true);
    expect(chasers.filter((c) => c.smtpResponse?.startsWith('sent in the combined mail'))).toHaveLength(3);
    const stored = await h.em().findOne(OutboxMail, { kind: 'chaser-bundle' });
    expect(stored?.messageId).toBe(combined.messageId);
    const events = await h.em().execute<Array<{ n: number }>>(`select count(*)::int as n from case_event where type = 'step-sent'`);
    expect(events[0]!.n).toBe(4);
  });
});
