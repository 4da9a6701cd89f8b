import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxMail } from '../../src/db/entities/index.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';
const CHRIS = 'chris.lane@sunrise-homes.org.uk';

const refsIn = (text: string) => [...new Set(text.match(/ESC-2026-\d{4}/g) ?? [])].sort();

describe('step notices at most once an hour per person (notices: hourly, the default)', () => {
  let h: EscalatorHarness;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'hourly-notices', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  /** The outbox kind of each mail the sink holds (read by its Message-ID, not its wording). */
  const kinds = async () => {
    const rows = await h.em().find(OutboxMail, { messageId: { $in: h.sink.messages.map((m) => m.messageId) } });
    const byId = new Map(rows.map((r) => [r.messageId, r.kind]));
    return h.sink.messages.map((m) => ({ m, kind: byId.get(m.messageId) }));
  };
  const stepNotices = async () => (await kinds()).filter((k) => k.kind === 'step-notice').map((k) => k.m);

  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-25).join('\n'));
  });

  it('sends each person the first step notice of the hour, folds the rest into one summary an hour later, and keeps to one an hour after it', async () => {
    // Two requests raised by the RM, one by a colleague (whose notices copy the RM).
    const senders = [`Alex Morgan <${RM}>`, `Alex Morgan <${RM}>`, `Chris Lane <${CHRIS}>`];
    for (const [i, from] of senders.entries()) {
      await h.append(
        rfc822({
          from,
          to: `Sam Patel <${SAM}>`,
          cc: INBOX,
          subject: `Care plan for AB-50${i} [escalate]`,
          messageId: `<hourly-${i}@sunrise-homes.org.uk>`,
          date: h.clock.now(),
          body: `Child: AB-50${i}\r\nTeam manager: Jo Bennett <${JO}>\r\n`,
        }),
      );
    }
    await h.sink.waitForCount(3);
    await h.settle();
    h.sink.clear();

    // All three first reminders fall due at 10:00 on Monday 7 December.
    await h.advanceTo('2026-12-07T10:00:00Z');
    // Four mails or five: the colleague's case's notice copies the RM, and may be the RM's one too.
    await h.sink.waitForCount(4);
    await h.settle();
    const chasers = h.sink.messages.filter((m) => m.envelope.to.includes(SAM));
    expect(chasers).toHaveLength(3);
    const notices = await stepNotices();
    expect(h.sink.messages).toHaveLength(3 + notices.length);
    // The RM hears of one step now (as the one it is written to or copied on), the colleague of theirs.
    expect(notices.filter((m) => m.envelope.to.includes(RM))).toHaveLength(1);
    expect(notices.filter((m) => m.envelope.to.includes(CHRIS))).toHaveLength(1);
    const heardNow = refsIn(notices.find((m) => m.envelope.to.includes(RM))!.parsed.subject!);
    expect(heardNow).toHaveLength(1);

    const summaries = await h.em().find(OutboxMail, { kind: 'notice-summary' });
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.to).toEqual([RM]);
    expect(summaries[0]!.status).toBe('pending');
    expect(summaries[0]!.notBefore.toISOString()).toBe('2026-12-07T11:00:00.000Z');
    const folded = await h.em().execute<{ n: number }[]>(`select count(*)::int as n from case_event where type = 'mail-folded'`);
    expect(folded[0]!.n).toBe(2);

    // Nothing more before the hour is up.
    h.sink.clear();
    await h.advanceTo('2026-12-07T10:59:00Z');
    await h.settle();
    expect(h.sink.messages.filter((m) => m.envelope.to.includes(RM))).toHaveLength(0);

    await h.advanceTo('2026-12-07T11:00:00Z');
    const summary = await h.sink.waitFor((m) => m.envelope.to.includes(RM));
    await h.settle();
    expect(summary.envelope.to).toEqual([RM]);
    expect(summary.parsed.subject).toMatch(/^Sent in the last hour: 2 steps on ESC-2026-\d{4}, ESC-2026-\d{4}$/);
    expect(summary.parsed.text).toContain('2 more steps were sent on your behalf since my last notice to you');
    // Between them, the notice and the summary name every case, each once.
    const inSummary = refsIn(summary.parsed.text ?? '');
    expect(inSummary).toHaveLength(2);
    expect([...inSummary, ...heardNow].sort()).toEqual(['ESC-2026-0001', 'ESC-2026-0002', 'ESC-2026-0003']);
    expect(summary.parsed.text).toContain('Step 1,');
    expect(summary.parsed.text).toContain('To: Sam Patel (the professional)');
    const sent = await h.em().findOne(OutboxMail, { kind: 'notice-summary' }, { refresh: true });
    expect(sent?.status).toBe('sent');
    expect(sent?.messageId).toBe(summary.messageId);
    expect(sent?.raw && Buffer.from(sent.raw).toString('utf8')).toContain('2 more steps');

    // The RM moves a case on at 11:05: a summary went at 11:00, so this step's notice waits for 12:00.
    const ref = inSummary[0]!;
    h.clock.set('2026-12-07T11:05:00Z');
    h.sink.clear();
    await h.append(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Re: Care plan [${ref}]`,
        messageId: '<hourly-escalate@sunrise-homes.org.uk>',
        date: h.clock.now(),
        body: 'ESCALATE\r\n',
      }),
    );
    await h.sink.waitFor((m) => m.envelope.to.includes(JO));
    await h.settle();
    const toRm = h.sink.messages.filter((m) => m.envelope.to.includes(RM));
    // The command's acknowledgement goes at once (it answers the RM); the step notice does not go
    // to the RM (to the colleague who raised the case, when it is theirs: their hour is up).
    expect((await stepNotices()).filter((m) => m.envelope.to.includes(RM))).toEqual([]);
    expect(toRm.length).toBeGreaterThan(0);
    const next = await h.em().findOne(OutboxMail, { kind: 'notice-summary', status: 'pending' });
    expect(next?.notBefore.toISOString()).toBe('2026-12-07T12:00:00.000Z');

    h.sink.clear();
    await h.advanceTo('2026-12-07T12:00:00Z');
    const second = await h.sink.waitFor((m) => m.envelope.to.includes(RM));
    expect(second.parsed.subject).toContain(`[${ref}]`);
    expect(second.parsed.text).toContain('One more step was sent on your behalf since my last notice to you');
    expect(second.parsed.text).toContain('Step 2,');
  });
});
