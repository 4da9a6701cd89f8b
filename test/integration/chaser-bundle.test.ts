import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const KIM = 'kim.lee@northshire.gov.uk';

describe('per-recipient bundling (bundleChasers: true)', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    // The test directory with an NHS trust that gives its own roles (issue 15.4, reg 5 partner agencies).
    h = await EscalatorHarness.start({
      name: 'bundle',
      start: '2026-11-23T10:00:00Z',
      org: { bundleChasers: true },
      directory: 'test/fixtures/directory-partner.yaml',
    });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
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
    const single = await h.sink.waitFor((m) => m.envelope.to.includes(KIM) && (m.parsed.subject ?? '').startsWith('Reminder 1: '));
    await h.settle();

    expect(combined.envelope.to.sort()).toEqual([SAM, JO].sort());
    // Requests are ingested concurrently, so references follow processing order: match by child.
    for (const child of ['AB-300', 'AB-301', 'AB-302']) expect(combined.parsed.text).toContain(`Review minutes for ${child} [ESC-2026-`);
    expect(combined.parsed.text).not.toContain('AB-303');
    expect(single.parsed.subject).toMatch(/^Reminder 1: Review minutes for AB-303 \[ESC-2026-000[1-4]\]$/);
    // Sam got two mails in all, not four.
    expect(h.sink.messages.filter((m) => m.envelope.to.includes(SAM) && !m.parsed.subject?.startsWith('Sent:'))).toHaveLength(2);

    const chasers = await h.em().find(OutboxMail, { kind: 'chaser' }, { orderBy: { createdAt: 'asc' } });
    expect(chasers).toHaveLength(4);
    expect(chasers.every((c) => c.status === 'sent')).toBe(true);
    expect(chasers.filter((c) => c.smtpResponse?.startsWith('sent in the combined mail'))).toHaveLength(3);
    const stored = await h.em().findOne(OutboxMail, { kind: 'chaser-bundle' });
    expect(stored?.messageId).toBe(combined.messageId);
    const events = await h.em().execute<{ n: number }[]>(`select count(*)::int as n from case_event where type = 'step-sent'`);
    expect(events[0]!.n).toBe(4);
  });

  it('sends the combined mail again, alone, to a recipient the server refused with 450 while it accepted the others', async () => {
    const TM = 'ola.nowak@northshire.gov.uk';
    h.clock.set('2026-12-07T11:00:00Z');
    const ids: string[] = [];
    for (const i of [0, 1]) {
      await h.append(
        rfc822({
          from: `Alex Morgan <${RM}>`,
          to: `Sam Patel <${SAM}>`,
          cc: INBOX,
          subject: `Health assessment for CD-40${i} [escalate]`,
          messageId: `<bundle-busy-${i}@sunrise-homes.org.uk>`,
          date: h.clock.now(),
          body: `Child: CD-40${i}\r\nTeam manager: ${TM}\r\nSafeguarding: yes\r\n`,
        }),
      );
    }
    await h.sink.waitFor((m) => m.parsed.subject?.includes('Health assessment for CD-401') ?? false);
    await h.settle();
    for (const i of [0, 1]) {
      const rows = await h.em().execute<{ id: string }[]>(`select id from escalation_case where subject like ?`, [`%CD-40${i}%`]);
      ids.push(rows[0]!.id);
    }
    h.sink.clear();
    h.sink.refuseRecipientNext(TM, 1, 450);

    // The urgent first rungs fall due together on Tuesday 8 December at 11:00 and gather until 11:02.
    await h.advanceTo('2026-12-08T11:00:00Z');
    await h.settle();
    await h.advanceTo('2026-12-08T11:02:00Z');
    const combined = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Still outstanding: 2 requests') ?? false);
    await h.settle();
    expect(combined.envelope.to.sort()).toEqual([SAM]);
    const stored = (await h.em().findOne(OutboxMail, { messageId: combined.messageId, resendOf: null }))!;
    expect(stored.status).toBe('sent');
    const followUp = (await h.em().findOne(OutboxMail, { resendOf: stored.id }))!;
    expect(followUp.kind).toBe('chaser-bundle');
    expect(followUp.envelopeTo).toEqual([TM]);
    expect(followUp.status).toBe('pending');
    expect(followUp.notBefore.toISOString()).toBe('2026-12-08T11:03:00.000Z');
    for (const id of ids) {
      const types = (await h.em().execute<{ type: string }[]>(`select type from case_event where case_id = ? order by id`, [id])).map((e) => e.type);
      expect(types).toContain('mail-recipients-deferred');
      expect(types).not.toContain('bounce');
    }

    await h.advanceTo('2026-12-08T11:03:00Z');
    const again = await h.sink.waitFor((m) => m.messageId === combined.messageId && m.envelope.to.includes(TM));
    await h.settle();
    expect(again.envelope.to).toEqual([TM]);
    expect(again.raw.equals(combined.raw)).toBe(true);
    expect(h.sink.messages.filter((m) => m.messageId === combined.messageId)).toHaveLength(2);
    expect((await h.em().findOne(OutboxMail, { id: followUp.id }))!.status).toBe('sent');
    expect(h.sink.messages.some((m) => m.parsed.subject?.startsWith('Could not deliver:'))).toBe(false);
  });

  it('a combined chaser to a named nurse at an NHS trust names the trust and the nurse’s role, never a council', async () => {
    const NURSE = 'ash.grey@northshire-nhs.uk';
    const DESIGNATED = 'dana.price@northshire-nhs.uk';
    h.clock.set('2026-12-09T10:00:00Z');
    for (const i of [0, 1]) {
      await h.append(
        rfc822({
          from: `Alex Morgan <${RM}>`,
          to: `Ash Grey <${NURSE}>`,
          cc: INBOX,
          subject: `Initial health assessment for EF-50${i} [escalate]`,
          messageId: `<bundle-nurse-${i}@sunrise-homes.org.uk>`,
          date: h.clock.now(),
          body: `Child: EF-50${i}\r\n`,
        }),
      );
    }
    await h.sink.waitFor((m) => m.parsed.subject?.includes('Initial health assessment for EF-501') ?? false);
    await h.sink.waitFor((m) => m.parsed.subject?.includes('Initial health assessment for EF-500') ?? false);
    await h.settle();
    h.sink.clear();

    // Reminder 1 for both falls due on Wednesday 23 December at 10:00, to the nurse copying the designated nurse.
    await h.advanceTo('2026-12-23T10:00:00Z');
    await h.settle();
    await h.advanceTo('2026-12-23T10:02:00Z');
    const combined = await h.sink.waitFor((m) => m.envelope.to.includes(NURSE) && (m.parsed.subject?.startsWith('Still outstanding: 2 requests') ?? false));
    await h.settle();
    expect(combined.envelope.to.sort()).toEqual([NURSE, DESIGNATED].sort());
    const text = combined.parsed.text ?? '';
    const html = combined.parsed.html;
    expect(typeof html).toBe('string');
    expect(text).toContain('We are writing to you as the named nurse at Northshire NHS Foundation Trust. Rather than send you 2 separate reminders today');
    for (const child of ['EF-500', 'EF-501']) expect(text).toContain(`Initial health assessment for ${child} [ESC-2026-`);
    for (const words of ['local authority', 'Assistant Director', 'Director of Children', 'care plan', 'team manager']) {
      expect(text, words).not.toContain(words);
      expect(String(html), words).not.toContain(words);
    }
  });
});
