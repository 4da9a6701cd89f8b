import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
// People of their own for the tests that program the sink for one address.
const PRO_GONE = 'lee.grant@northshire.gov.uk';
const PRO_LATE = 'kim.lee@northshire.gov.uk';
const PRO_BUSY = 'ola.nowak@northshire.gov.uk';
const TM_BUSY = 'ben.okafor@northshire.gov.uk';
const PRO_FULL = 'ria.shah@northshire.gov.uk';
const TM_FULL = 'dan.hughes@northshire.gov.uk';

describe('outbound delivery: retries, refusals and the send window', () => {
  let h: EscalatorHarness;
  let n = 0;

  beforeAll(async () => {
    // Tuesday 1 December 2026, 10:00.
    h = await EscalatorHarness.start({ name: 'delivery', start: '2026-12-01T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  /**
   * Opens a case on the urgent (safeguarding) timescales so its first rung is one working day away.
   * Every case's later rungs go on falling due as the clock moves: a test that programs the sink
   * for one address gives its case people of its own.
   */
  async function openCase(people: { professional?: string; teamManager?: string } = {}): Promise<{ ref: string; id: string }> {
    n++;
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: `Sam Patel <${people.professional ?? SAM}>`,
        cc: INBOX,
        subject: `Missing health assessment ${n} [escalate]`,
        messageId: `<delivery-${n}@sunrise-homes.org.uk>`,
        date: h.clock.now(),
        body: `Child: AB-10${n}\r\nTeam manager: Jo Bennett <${people.teamManager ?? JO}>\r\nSafeguarding: yes\r\n`,
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
    const row = await waitFor(
      async () => {
        const r = await h.em().findOne(OutboxMail, { dedupeKey: `${id}:s1-chaser` });
        return r?.attempts === 1 && r.status === 'pending' ? r : undefined;
      },
      { what: 'the chaser to be deferred' },
    );
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
    const { id, ref } = await openCase({ professional: PRO_GONE });
    h.sink.clear();
    h.sink.failNextTo(PRO_GONE, 1, 550);
    await h.advanceTo('2026-12-04T10:00:00Z');
    const notice = await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Not delivered:') ?? false);
    expect(notice.envelope.to).toEqual([RM]);
    expect(notice.parsed.text).toContain(PRO_GONE);
    // Said in plain words (issue 20): what happened, not the server's status code.
    expect(notice.parsed.text).toContain('their mail server refused it');
    await h.settle();
    const row = (await h.em().findOne(OutboxMail, { dedupeKey: `${id}:s1-chaser` }))!;
    expect(row.status).toBe('failed');
    expect(row.attempts).toBe(1);
    const events = await h.em().execute<{ type: string }[]>(`select type from case_event where case_id = ? order by id`, [id]);
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
    const c = (
      await h.em().execute<{ state: { participants: { email: string; undeliverable?: unknown }[] } }[]>(`select state from escalation_case where id = ?`, [id])
    )[0]!;
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
    // It is this case's rung-1 chaser, recorded as sent. (Looked up by its Message-ID: the case may
    // hold another chaser row by now, and "the" chaser without an order is whichever Postgres returns.)
    expect(chaser.messageId).toMatch(/\.s1-chaser\./);
    const row = await waitFor(
      async () => {
        const r = await h.em().findOne(OutboxMail, { case: id, messageId: chaser.messageId }, { refresh: true });
        return r?.status === 'sent' ? r : undefined;
      },
      { what: 'the chaser recorded as sent' },
    );
    expect(row.kind).toBe('chaser');
  });

  it('moves a retry that would fall after 17:00 to 09:00 on the next working day (451 at 16:58 on a Friday → Monday)', async () => {
    // Opened on Thursday 17 December at 16:58: the urgent first rung is due Friday 18 December at 16:58.
    h.clock.set('2026-12-17T16:58:00Z');
    const { id } = await openCase({ professional: PRO_LATE });
    h.sink.clear();
    // The server turns the chaser away at 16:58 and again at its first retry, 16:59.
    h.sink.failNextTo(PRO_LATE, 2, 451);
    await h.advanceTo('2026-12-18T16:58:00Z');
    const first = await waitFor(
      async () => {
        const r = await h.em().findOne(OutboxMail, { dedupeKey: `${id}:s1-chaser` });
        return r?.attempts === 1 && r.status === 'pending' ? r : undefined;
      },
      { what: 'the first 451' },
    );
    expect(first.notBefore.toISOString()).toBe('2026-12-18T16:59:00.000Z');
    await h.advanceTo('2026-12-18T16:59:00Z');
    const second = await waitFor(
      async () => {
        const r = await h.em().findOne(OutboxMail, { id: first.id });
        return r?.attempts === 2 && r.status === 'pending' ? r : undefined;
      },
      { what: 'the second 451' },
    );
    // The next retry (2 minutes on, 17:01) would be after the window closes: it waits for Monday's opening.
    expect(second.notBefore.toISOString()).toBe('2026-12-21T09:00:00.000Z');
    expect(second.lastError).toContain('451');

    // The evening, the night and the weekend pass: nothing is tried, no attempt is used up.
    for (const at of ['2026-12-18T17:01:00Z', '2026-12-18T18:00:00Z', '2026-12-19T09:00:00Z', '2026-12-20T12:00:00Z', '2026-12-21T08:59:00Z']) {
      await h.advanceTo(at);
      await h.settle();
    }
    expect(h.sink.messages.filter((m) => m.messageId === first.messageId)).toHaveLength(0);
    const waiting = (await h.em().findOne(OutboxMail, { id: first.id }))!;
    expect(waiting.status).toBe('pending');
    expect(waiting.attempts).toBe(2);
    expect(h.sink.rejections.filter((r) => r.code === 451)).toHaveLength(2);

    await h.advanceTo('2026-12-21T09:00:00Z');
    const chaser = await h.sink.waitFor((m) => m.messageId === first.messageId);
    await h.settle();
    await h.promoteDue();
    await h.settle();
    expect(h.sink.messages.filter((m) => m.messageId === first.messageId)).toHaveLength(1);
    expect(chaser.envelope.to).toContain(PRO_LATE);
    const sent = (await h.em().findOne(OutboxMail, { id: first.id }))!;
    expect(sent.status).toBe('sent');
    expect(sent.attempts).toBe(3);
    expect(sent.sentAt?.toISOString()).toBe('2026-12-21T09:00:00.000Z');
  });

  async function participant(caseId: string, email: string) {
    const c = (
      await h
        .em()
        .execute<{ state: { participants: { email: string; undeliverable?: unknown }[] } }[]>(`select state from escalation_case where id = ?`, [caseId])
    )[0]!;
    return c.state.participants.find((p) => p.email === email);
  }

  async function eventTypes(caseId: string): Promise<string[]> {
    const rows = await h.em().execute<{ type: string }[]>(`select type from case_event where case_id = ? order by id`, [caseId]);
    return rows.map((r) => r.type);
  }

  it('retries a recipient refused with 450 while the others were accepted: the same message, to that recipient only', async () => {
    // Tuesday 22 December 10:00; the first rung is due on Wednesday 23 December at 10:00.
    h.clock.set('2026-12-22T10:00:00Z');
    const { id } = await openCase({ professional: PRO_BUSY, teamManager: TM_BUSY });
    h.sink.clear();
    h.sink.refuseRecipientNext(TM_BUSY, 1, 450);
    await h.advanceTo('2026-12-23T10:00:00Z');
    const parent = await waitFor(
      async () => {
        const r = await h.em().findOne(OutboxMail, { dedupeKey: `${id}:s1-chaser` });
        return r?.status === 'sent' ? r : undefined;
      },
      { what: 'the chaser to be sent' },
    );
    const firstCopy = await h.sink.waitFor((m) => m.messageId === parent.messageId);
    expect(firstCopy.envelope.to).toContain(PRO_BUSY);
    expect(firstCopy.envelope.to).not.toContain(TM_BUSY);
    expect(h.sink.rejections).toEqual([expect.objectContaining({ stage: 'rcpt', code: 450, address: TM_BUSY })]);

    // Not a bounce: the address stays deliverable and the RM is not told; a follow-up waits for its retry.
    const followUp = await waitFor(() => h.em().findOne(OutboxMail, { resendOf: parent.id }), { what: 'the follow-up row' });
    await h.settle();
    expect(followUp.messageId).toBe(parent.messageId);
    expect(followUp.kind).toBe('chaser');
    expect(followUp.envelopeTo).toEqual([TM_BUSY]);
    expect(followUp.to).toEqual([]);
    expect(followUp.cc).toEqual([TM_BUSY]);
    expect(Buffer.from(followUp.raw!).equals(Buffer.from(parent.raw!))).toBe(true);
    expect(followUp.status).toBe('pending');
    expect(followUp.attempts).toBe(1);
    expect(followUp.notBefore.toISOString()).toBe('2026-12-23T10:01:00.000Z');
    expect(await participant(id, TM_BUSY)).not.toHaveProperty('undeliverable');
    expect(await eventTypes(id)).toContain('mail-recipients-deferred');
    expect(await eventTypes(id)).not.toContain('bounce');
    expect(h.sink.messages.some((m) => m.parsed.subject?.startsWith('Could not deliver:'))).toBe(false);

    await h.advanceTo('2026-12-23T10:01:00Z');
    const secondCopy = await h.sink.waitFor((m) => m.messageId === parent.messageId && m.envelope.to.includes(TM_BUSY));
    await h.settle();
    await h.promoteDue();
    await h.settle();
    // Each recipient got the message once: two submissions of the same bytes, disjoint envelopes.
    const copies = h.sink.messages.filter((m) => m.messageId === parent.messageId);
    expect(copies).toHaveLength(2);
    expect(secondCopy.envelope.to).toEqual([TM_BUSY]);
    expect(secondCopy.raw.equals(firstCopy.raw)).toBe(true);
    expect([...firstCopy.envelope.to, ...secondCopy.envelope.to].sort()).toEqual([...parent.envelopeTo].sort());
    const resent = (await h.em().findOne(OutboxMail, { id: followUp.id }))!;
    expect(resent.status).toBe('sent');
    expect(resent.attempts).toBe(2);
    expect(resent.smtpResponse).toMatch(/^250\b/);
    expect(resent.sentAt?.toISOString()).toBe('2026-12-23T10:01:00.000Z');
    expect(await h.em().count(OutboxMail, { messageId: parent.messageId })).toBe(2);
    expect(await participant(id, TM_BUSY)).not.toHaveProperty('undeliverable');
    expect(h.sink.messages.some((m) => m.parsed.subject?.startsWith('Could not deliver:'))).toBe(false);
  });

  it('marks a recipient refused with 4xx undeliverable only when its retries are used up', async () => {
    // Tuesday 29 December 10:00 (after the Christmas bank holidays); the first rung is due on Wednesday 30 December at 10:00.
    h.clock.set('2026-12-29T10:00:00Z');
    const { id } = await openCase({ professional: PRO_FULL, teamManager: TM_FULL });
    h.sink.clear();
    h.sink.refuseRecipientNext(TM_FULL, 100, 450);
    await h.advanceTo('2026-12-30T10:00:00Z');
    const parent = await waitFor(
      async () => {
        const r = await h.em().findOne(OutboxMail, { dedupeKey: `${id}:s1-chaser` });
        return r?.status === 'sent' ? r : undefined;
      },
      { what: 'the chaser to be sent' },
    );
    const followUp = await waitFor(() => h.em().findOne(OutboxMail, { resendOf: parent.id }), { what: 'the follow-up row' });
    await h.settle();
    // Drive the clock from retry to retry (1, 2, 4 … minutes) until the follow-up gives up.
    for (let guard = 0; guard < 20; guard++) {
      const r = (await h.em().findOne(OutboxMail, { id: followUp.id }))!;
      if (r.status !== 'pending') break;
      expect(await participant(id, TM_FULL)).not.toHaveProperty('undeliverable');
      await h.advanceTo(r.notBefore.toISOString());
      await waitFor(
        async () => {
          const now = (await h.em().findOne(OutboxMail, { id: followUp.id }))!;
          return now.attempts > r.attempts || now.status !== 'pending';
        },
        { what: `attempt ${r.attempts + 1}` },
      );
      await h.settle();
    }
    const gaveUp = (await h.em().findOne(OutboxMail, { id: followUp.id }))!;
    expect(gaveUp.status).toBe('failed');
    expect(gaveUp.attempts).toBe(12);
    expect(h.sink.rejections.filter((r) => r.address === TM_FULL)).toHaveLength(12);
    expect(await participant(id, TM_FULL)).toHaveProperty('undeliverable');
    const notice = await h.sink.waitFor((m) => (m.parsed.subject?.startsWith('Could not deliver:') ?? false) && (m.parsed.text ?? '').includes(TM_FULL));
    expect(notice.envelope.to).toEqual([RM]);
    expect(h.sink.messages.filter((m) => m.messageId === parent.messageId && m.envelope.to.includes(TM_FULL))).toHaveLength(0);
    expect(h.sink.messages.filter((m) => m.messageId === parent.messageId && m.envelope.to.includes(PRO_FULL))).toHaveLength(1);
    h.sink.heal();
  });
});
