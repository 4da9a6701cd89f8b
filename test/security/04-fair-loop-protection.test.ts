// Issue 13, point 4: loop protection counts per sender and per case. A stranger flooding a case
// with its reference cannot spend the budget of the RM's notices, so the chased professional's
// reply still reaches the RM at once; and a sender flooding its own case never loses the RM a
// notice it must see: beyond the budget they are folded into one summary ("N more messages from
// x@y about ESC-…"), marked where they are about safeguarding, never dropped.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';

const SAM = 'sam.patel@northshire.gov.uk';

describe('point 4: fair loop protection', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let c: OpenedCase;
  let n = 0;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'sec-04', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
    c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-4001', 'Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>'] });
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  const toRm = () => h.sink.messages.filter((m) => m.envelope.to.includes(RM));
  const tick = () => {
    h.clock.advance(5_000);
  };

  async function stranger(i: number): Promise<void> {
    const id = `<flood-${++n}@elsewhere.example>`;
    tick();
    await mail.deliver(
      rfc822({
        from: `Someone ${i} <someone${i}@elsewhere.example>`,
        to: INBOX,
        subject: `RE: minutes [${c.ref}]`,
        messageId: id,
        date: h.clock.now(),
        body: 'Any news?',
      }),
      id,
    );
  }

  it('a stranger’s flood of the case reference does not cost the professional’s reply its notice', async () => {
    h.sink.clear();
    for (let i = 0; i < 12; i++) await stranger(i);
    // Each of the twelve is flagged on the case; the RM is told once, the rest wait in one summary.
    const flagged = await h.em().execute(`select 1 from case_event where case_id = ? and type = 'message-flagged'`, [c.id]);
    expect(flagged).toHaveLength(12);
    expect(toRm().filter((m) => m.parsed.subject?.startsWith('Not acted on'))).toHaveLength(1);
    const folded = await h.em().execute<{ n: string }[]>(`select count(*) as n from folded_notice where case_id = ?`, [c.id]);
    expect(Number(folded[0]!.n)).toBe(11);

    // The professional writes back: the RM hears of it at once.
    tick();
    await mail.reply(c, `Sam Patel <${SAM}>`, 'Thank you, I am looking into this and will come back to you.');
    const notices = toRm().filter((m) => m.parsed.subject?.startsWith('Reply received'));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.parsed.text).toContain('Sam Patel');

    // An hour on, the strangers' summary reaches the RM: eleven listed, nothing else changed.
    await h.advanceTo(new Date(h.clock.now().getTime() + 3600_000).toISOString());
    const summary = await h.sink.waitFor((m) => m.envelope.to.includes(RM) && (m.parsed.subject?.includes('from people not on the case') ?? false));
    expect(summary.parsed.subject).toContain(`11 messages from people not on the case, about ${c.ref}`);
    expect(summary.parsed.text).toContain('someone11@elsewhere.example');
  });

  it('a sender’s own flood: notices the RM must see are folded into one summary beyond the budget, never dropped', async () => {
    await h.advanceTo(new Date(h.clock.now().getTime() + 2 * 3600_000).toISOString());
    h.sink.clear();
    // Fourteen replies from the professional in a few minutes (a forwarding rule gone wrong, say);
    // the tenth mentions a safeguarding concern.
    for (let i = 1; i <= 14; i++) {
      tick();
      const text = i === 12 ? 'There is a safeguarding concern about the placement that you need to know about.' : `Update ${i}: still looking into it.`;
      await mail.reply(c, `Sam Patel <${SAM}>`, text);
    }
    const notices = toRm().filter((m) => m.parsed.subject?.startsWith('Reply received'));
    expect(notices).toHaveLength(10);
    const events = await h
      .em()
      .execute<{ type: string; detail: { kind: string; sender: string } }[]>(
        `select type, detail from case_event where case_id = ? and type in ('mail-folded', 'mail-held-back') order by id`,
        [c.id],
      );
    // Four folded, none dropped.
    expect(events.filter((e) => e.type === 'mail-held-back')).toEqual([]);
    expect(events.filter((e) => e.type === 'mail-folded' && e.detail.sender === SAM).map((e) => e.detail.kind)).toEqual(Array(4).fill('reply-notice'));
    // Every reply is recorded on the case.
    const replies = await h.em().execute(`select 1 from case_event where case_id = ? and type = 'reply-received'`, [c.id]);
    expect(replies).toHaveLength(15);

    // When the sender's budget has room again the summary goes: four more, one about safeguarding.
    await h.advanceTo(new Date(h.clock.now().getTime() + 11 * 60_000).toISOString());
    const summary = await h.sink.waitFor((m) => m.envelope.to.includes(RM) && (m.parsed.subject?.startsWith('4 more messages from') ?? false));
    expect(summary.parsed.subject).toContain(`4 more messages from ${SAM}`);
    expect(summary.parsed.subject).toContain(c.ref);
    expect(summary.parsed.text).toContain('(SAFEGUARDING)');
    expect(summary.parsed.text).toContain('1 of them is marked or reads as about safeguarding');
    const metrics = await (await fetch(`http://127.0.0.1:${h.service.httpPort}/metrics`)).text();
    expect(metrics).toContain('escalator_loop_guard_total{kind="reply-notice",action="folded"} 4');
  });
});
