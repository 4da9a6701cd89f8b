import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';

describe('outbound delivery: retries, refusals and the send window', () => {
  let h: EscalatorHarness;
  let n = 0;

  beforeAll(async () => {
    // Tuesday 1 December 2026, 10:00.
    h = await EscalatorHarness.start({ name: 'delivery', start: '2026-12-01T10:00:00Z' });
  });
  afterAll(async () => {
    await h?.close();
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  /** Opens a case on the urgent (safeguarding) timescales so its first rung is one working day away. */
  async function openCase(): Promise<{ ref: string; id: string }> {
    n++;
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: `Sam Patel <${SAM}>`,
        cc: INBOX,
        subject: `Missing health assessment ${n} [escalate]`,
        messageId: `<delivery-${n}@sunrise-homes.org.uk>`,
        date: h.clock.now(),
        body: `Child: AB-10${n}\r\nTeam manager: Jo Bennett <${JO}>\r\nSafeguarding: yes\r\n`,
      }),
    );
    const ref = `ESC-2026-000${n}`;
    await h.sink.waitFor((m) => m.parsed.subject === `Case opened: Missing health assessment ${n} [${ref}]`);
    await h.settle();
    const row = (await h.caseByRef(ref))!;
    return { ref, id: row.id };
  }

  it('retries a 451 and delivers the chaser exactly once', async () => {
    const { id } = await openCase();
    h.sink.clear();
    h.sink.failNextTo(SAM, 1, 451);
    await h.advanceTo('2026-12-02T10:00:00Z');
    const row = await waitFor(async () => {
      const r = await h.em().findOne(OutboxMail, { dedupeKey: `${id}:s1-chaser` });
      return r && r.attempts === 1 && r.status === 'pending' ? r : undefined;
    }, { what: 'the chaser to be deferred' });
    expect(row.lastError).toContain('451');
    expect(row.notBefore.toISOString()).toBe('2026-12-02T10:01:00.000Z');
    expect(h.sink.messages.filter((m) => m.envelope.to.includes(SAM))).toHaveLength(0);

    await h.advanceTo('2026-12-02T10:01:00Z');
    await h.sink.waitFor((m) => m.messageId === row.messageId);
    await h.settle();
    await h.promoteDue();
    await h.settle();
    expect(h.sink.messages.filter((m) => m.messageId === row.messageId)).toHaveLength(1);
    const sent = (await h.em().findOne(OutboxMail, { id: row.id }))!;
    expect(sent.status).toBe('sent');
    expect(sent.attempts).toBe(2);
  });

  it('marks a message refused with 550 as failed and tells the RM', async () => {
    h.clock.set('2026-12-03T10:00:00Z');
    const { id, ref } = await openCase();
    h.sink.clear();
    h.sink.failNextTo(SAM, 1, 550);
    await h.advanceTo('2026-12-04T10:00:00Z');
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Not delivered:') ?? false);
    expect(notice.envelope.to).toEqual([RM]);
    expect(notice.parsed.text).toContain(SAM);
    expect(notice.parsed.text).toContain('550');
    await h.settle();
    const row = (await h.em().findOne(OutboxMail, { dedupeKey: `${id}:s1-chaser` }))!;
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    const events = await h.em().execute<Array<{ type: string }>>(`select type from case_event where case_id = ? order by id`, [id]);
    expect(events.map((e) => e.type)).toContain('mail-failed');
    expect(ref).toBe('ESC-2026-0002');
  });

  it('delivers to the others when one recipient is refused, and marks that address undeliverable', async () => {
    h.clock.set('2026-12-07T10:00:00Z');
    const { id } = await openCase();
    h.sink.clear();
    h.sink.rejectRecipient(JO, 550);
    await h.advanceTo('2026-12-08T10:00:00Z');
    const chaser = await h.sink.waitFor((m) => m.envelope.to.includes(SAM));
    expect(chaser.envelope.to).not.toContain(JO);
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Could not deliver:') ?? false);
    expect(notice.parsed.text).toContain(JO);
    await h.settle();
    const state = (await h.em().findOne(OutboxMail, { dedupeKey: `${id}:s1-chaser` }))!;
    expect(state.status).toBe('sent');
    const c = (await h.em().execute<Array<{ state: { participants: Array<{ email: string; undeliverable?: unknown }> } }>>(`select state from escalation_case where id = ?`, [id]))[0]!;
    expect(c.state.participants.find((p) => p.email === JO)?.undeliverable).toBeTruthy();
    h.sink.heal();
  });

  it('holds a mail due at 22:00 until 09:00 the next working day (Friday night → Monday)', async () => {
    h.clock.set('2026-12-09T10:00:00Z');
    const { ref, id } = await openCase();
    h.sink.clear();
    // Friday 11 December, 22:00: the RM asks for the next step now.
    h.clock.set('2026-12-11T22:00:00Z');
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: Case opened [${ref}]`,
        messageId: '<late-escalate@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'ESCALATE',
      }),
    );
    // The acknowledgement the RM asked for goes at once …
    const ack = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Done:') ?? false);
    expect(ack.parsed.text).toContain('Monday 14 December 2026 at 09:00');
    await h.settle();
    await h.promoteDue();
    await h.settle();
    // … the chaser does not.
    expect(h.sink.messages.some((m) => m.envelope.to.includes(SAM))).toBe(false);
    await h.advanceTo('2026-12-12T09:00:00Z');
    await h.settle();
    expect(h.sink.messages.some((m) => m.envelope.to.includes(SAM))).toBe(false);
    await h.advanceTo('2026-12-14T09:00:00Z');
    const chaser = await h.sink.waitFor((m) => m.envelope.to.includes(SAM));
    expect(chaser.parsed.date?.toISOString()).toBe('2026-12-14T09:00:00.000Z');
    expect(id).toBeTruthy();
  });
});
