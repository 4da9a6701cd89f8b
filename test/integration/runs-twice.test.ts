// "Runs twice, sends once", tested head on: the send-mail and advance-case handlers are called
// directly, twice in a row and twice at once (as two workers would when a job is delivered twice),
// on real PostgreSQL, Redis and the SMTP sink. The queue's own delayed job for the same work is
// then let run as well: a third run, which must find nothing to do either.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { advanceCaseJob } from '../../src/workflows/jobs/advance-case.job.js';
import { sendMailJob } from '../../src/workflows/jobs/send-mail.job.js';
import { jobIds } from '../../src/workflows/job-catalogue.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';

describe('runs twice, sends once', () => {
  let h: EscalatorHarness;
  let n = 0;

  beforeAll(async () => {
    // Tuesday 1 December 2026, 10:00 (GMT: local time is UTC).
    h = await EscalatorHarness.start({ name: 'runs-twice', start: '2026-12-01T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
    await h.service.queues.queue('outbox').resume();
  });

  /** A case on the urgent timescales: its first rung falls due one working day after opening. */
  async function openCase(): Promise<{ ref: string; id: string }> {
    n++;
    const ref = `ESC-2026-000${n}`;
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: `Sam Patel <${SAM}>`,
        cc: INBOX,
        subject: `Care plan action ${n} [escalate]`,
        messageId: `<runs-twice-${n}@sunrise-homes.org.uk>`,
        date: h.clock.now(),
        body: `Child: AB-20${n}\r\nTeam manager: Jo Bennett <${JO}>\r\nSafeguarding: yes\r\n`,
      }),
    );
    await h.sink.waitFor((m) => m.parsed.subject === `Case opened: Care plan action ${n} [${ref}]`);
    await h.settle();
    return { ref, id: (await h.caseByRef(ref))!.id };
  }

  /**
   * A chaser waiting in the outbox: the rung falls due and the advance job writes it, while the
   * outbox queue is paused, so its send job waits in the queue and only the direct calls below run
   * until the test resumes the queue.
   */
  async function pendingChaser(friday: string): Promise<{ id: string; messageId: string; caseId: string }> {
    h.clock.set(`${friday}T10:00:00Z`);
    const { ref, id } = await openCase();
    const due = (await h.caseByRef(ref))!.nextActionAt!;
    await h.service.queues.queue('outbox').pause();
    await h.advanceTo(due.toISOString());
    const row = await waitFor(() => h.em().findOne(OutboxMail, { dedupeKey: `${id}:s1-chaser` }), { what: 'the chaser to be written' });
    await settleOtherQueues();
    expect((await h.service.queues.queue('outbox').getJob(jobIds.send(row.id, 0)))?.id).toBeTruthy();
    expect((await h.em().findOne(OutboxMail, { id: row.id }))!.status).toBe('pending');
    return { id: row.id, messageId: row.messageId, caseId: id };
  }

  /** Like h.settle(), for every queue but the paused outbox (whose jobs wait by design). */
  async function settleOtherQueues(): Promise<void> {
    let quiet = 0;
    await waitFor(
      async () => {
        let busy = 0;
        for (const [name, q] of h.service.queues.queues) {
          if (name === 'outbox') continue;
          const c = await q.getJobCounts('waiting', 'active', 'prioritized');
          busy += (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
        }
        quiet = busy === 0 ? quiet + 1 : 0;
        return quiet >= 3;
      },
      { interval: 50, what: 'the other queues to settle' },
    );
  }

  /** The queue's own job for the row is let run as well (a third run), and everything else queued. */
  async function resumeQueue(): Promise<void> {
    await h.service.queues.queue('outbox').resume();
    await h.settle();
  }

  const atSink = (messageId: string) => h.sink.messages.filter((m) => m.messageId === messageId);

  async function expectSentOnce(outboxId: string, messageId: string): Promise<void> {
    expect(atSink(messageId)).toHaveLength(1);
    const row = (await h.em().findOne(OutboxMail, { id: outboxId }))!;
    expect(row.envelopeTo).toEqual(expect.arrayContaining([SAM, JO]));
    expect(atSink(messageId)[0]!.envelope.to).toEqual(row.envelopeTo);
    expect(row.status).toBe('sent');
    expect(row.attempts).toBe(1);
    expect(row.sentAt?.toISOString()).toBe(h.clock.now().toISOString());
    expect(row.smtpResponse).toMatch(/^250\b.*OK: captured/);
    expect(row.lastError).toBeNull();
  }

  it('send-mail run twice in a row for one outbox row: one message accepted, the row sent once', async () => {
    const chaser = await pendingChaser('2026-12-04');
    h.sink.clear();
    const send = sendMailJob(h.service.deps);
    await send({ outboxId: chaser.id });
    await send({ outboxId: chaser.id });
    await expectSentOnce(chaser.id, chaser.messageId);
    const first = (await h.em().findOne(OutboxMail, { id: chaser.id }))!;

    // The queue's own job for the row, delivered now as well: a third run, nothing to do.
    await resumeQueue();
    await expectSentOnce(chaser.id, chaser.messageId);
    const after = (await h.em().findOne(OutboxMail, { id: chaser.id }))!;
    expect(after.updatedAt.toISOString()).toBe(first.updatedAt.toISOString());
    expect(after.smtpResponse).toBe(first.smtpResponse);
  });

  it('send-mail run by two workers at once for one outbox row: one message accepted, the row sent once', async () => {
    const chaser = await pendingChaser('2026-12-11');
    h.sink.clear();
    // Two handlers, as two worker processes have: each claims on its own connection.
    const workerA = sendMailJob(h.service.deps);
    const workerB = sendMailJob(h.service.deps);
    await Promise.all([workerA({ outboxId: chaser.id }), workerB({ outboxId: chaser.id }), workerA({ outboxId: chaser.id })]);
    await expectSentOnce(chaser.id, chaser.messageId);
    await resumeQueue();
    await expectSentOnce(chaser.id, chaser.messageId);
  });

  async function eventsOf(caseId: string): Promise<string[]> {
    const rows = await h.em().execute<{ type: string }[]>(`select type from case_event where case_id = ? order by id`, [caseId]);
    return rows.map((r) => r.type);
  }

  async function outboxOf(caseId: string): Promise<{ dedupe_key: string; status: string }[]> {
    return h.em().execute(`select dedupe_key, status from outbox_mail where case_id = ? order by dedupe_key`, [caseId]);
  }

  it('advance-case run twice in a row, and by two workers at once, fires the rung once', async () => {
    h.clock.set('2026-12-15T10:00:00Z');
    const one = await openCase();
    const two = await openCase();
    const due = (await h.caseByRef(one.ref))!.nextActionAt!;
    // One working day on the urgent timescales: the opening of Wednesday.
    expect(due.toISOString()).toBe('2026-12-16T09:00:00.000Z');
    expect((await h.caseByRef(two.ref))!.nextActionAt!.toISOString()).toBe(due.toISOString());
    h.sink.clear();
    // The clock reaches the rung; the queued jobs are not promoted, the handlers are called by hand.
    h.clock.set(due);

    const advance = advanceCaseJob(h.service.deps);
    await advance({ caseId: one.id });
    const afterFirst = (await h.caseByRef(one.ref))!;
    const eventsAfterFirst = await eventsOf(one.id);
    const outboxAfterFirst = await outboxOf(one.id);
    await advance({ caseId: one.id });

    await Promise.all([advanceCaseJob(h.service.deps)({ caseId: two.id }), advanceCaseJob(h.service.deps)({ caseId: two.id })]);

    for (const c of [one, two]) {
      const events = await eventsOf(c.id);
      expect(events.filter((e) => e === 'step-sent')).toHaveLength(1);
      expect((await outboxOf(c.id)).filter((o) => o.dedupe_key === `${c.id}:s1-chaser`)).toHaveLength(1);
    }
    // The second run changed nothing at all: not the case row, not its events, not its outbox.
    const afterSecond = (await h.caseByRef(one.ref))!;
    expect(afterSecond.updatedAt.toISOString()).toBe(afterFirst.updatedAt.toISOString());
    expect(afterSecond.state).toEqual(afterFirst.state);
    expect(await eventsOf(one.id)).toEqual(eventsAfterFirst);
    expect((await outboxOf(one.id)).map((o) => o.dedupe_key)).toEqual(outboxAfterFirst.map((o) => o.dedupe_key));

    // Whatever the queue still holds for these cases runs too; each chaser reaches the sink once.
    await h.promoteDue();
    await h.settle();
    for (const c of [one, two]) {
      const chaser = (await h.em().findOne(OutboxMail, { dedupeKey: `${c.id}:s1-chaser` }))!;
      await h.sink.waitFor((m) => m.messageId === chaser.messageId);
      expect(atSink(chaser.messageId)).toHaveLength(1);
      expect(chaser.status).toBe('sent');
    }
    expect(await eventsOf(one.id)).toEqual(eventsAfterFirst);
  });

  it('advance-case on a case that has moved on (resolved before its rung fell due) does nothing', async () => {
    h.clock.set('2026-12-17T10:00:00Z');
    const c = await openCase();
    const due = (await h.caseByRef(c.ref))!.nextActionAt!;
    h.clock.set('2026-12-17T11:00:00Z');
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: Case opened [${c.ref}]`,
        messageId: `<runs-twice-resolved-${n}@sunrise-homes.org.uk>`,
        date: h.clock.now(),
        body: 'RESOLVED',
      }),
    );
    await h.sink.waitFor((m) => m.parsed.subject === `Done: Care plan action ${n} [${c.ref}]`);
    await h.settle();
    const resolved = (await h.caseByRef(c.ref))!;
    expect(resolved.status).toBe('resolved');
    const events = await eventsOf(c.id);
    const outbox = await outboxOf(c.id);
    h.sink.clear();

    // The job that was queued for the old timetable fires after all (a stale job, a second worker).
    h.clock.set(new Date(due.getTime() + 60_000));
    await advanceCaseJob(h.service.deps)({ caseId: c.id });
    await advanceCaseJob(h.service.deps)({ caseId: c.id });
    await h.settle();

    const after = (await h.caseByRef(c.ref))!;
    expect(after.updatedAt.toISOString()).toBe(resolved.updatedAt.toISOString());
    expect(after.state).toEqual(resolved.state);
    expect(await eventsOf(c.id)).toEqual(events);
    expect(await outboxOf(c.id)).toEqual(outbox);
    expect(h.sink.messages).toHaveLength(0);
  });
});
