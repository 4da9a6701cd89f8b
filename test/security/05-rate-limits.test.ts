// Issue 13, point 5: rate limits and caps, each with a clear answer. Openings per staff sender
// per hour (configured low here: 3), recipients per opening (4), and notices about strangers
// quoting case references (one an hour per organisation, the rest folded into one summary). Each
// refusal says why to the sender; each limit is counted in the metrics.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';

const SAM = 'sam.patel@northshire.gov.uk';
const COLLEAGUE = 'chris.doe@sunrise-homes.org.uk';

describe('point 5: rate limits and caps', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let n = 0;

  beforeAll(async () => {
    h = await EscalatorHarness.start({
      name: 'sec-05',
      start: '2026-11-23T10:00:00Z',
      config: { limits: { openingsPerSenderPerHour: 3, recipientsPerOpening: 4 } },
    });
    mail = new CaseMail(h);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-20).join('\n'));
  });

  async function request(from: string, opts: { to?: string; cc?: string } = {}): Promise<{ id: string; caseId: string | null }> {
    const id = `<req-${++n}@sunrise-homes.org.uk>`;
    h.clock.advance(30_000);
    const caseId = await mail.deliver(
      rfc822({
        from,
        to: opts.to ?? `Sam Patel <${SAM}>`,
        cc: opts.cc ?? INBOX,
        subject: `Request ${n} [escalate]`,
        messageId: id,
        date: h.clock.now(),
        body: `Child: AB-50${n}\r\n\r\nPlease send the minutes.`,
      }),
      id,
    );
    return { id, caseId };
  }
  const verdict = async (id: string) =>
    (
      await h.em().execute<{ status: string; route: string; reason: string | null }[]>(`select status, route, reason from message where message_id = ?`, [id])
    )[0]!;
  const refusals = (to: string) => h.sink.messages.filter((m) => m.envelope.to.includes(to) && (m.parsed.subject?.startsWith('Not opened') ?? false));

  it('openings per staff sender: the fourth in an hour is refused, the sender told once, others unaffected', async () => {
    h.sink.clear();
    for (let i = 0; i < 3; i++) expect((await request(`Alex Morgan <${RM}>`)).caseId).toBeTruthy();
    const fourth = await request(`Alex Morgan <${RM}>`);
    expect(fourth.caseId).toBeNull();
    expect(await verdict(fourth.id)).toMatchObject({
      status: 'processed',
      route: 'quarantined',
      reason: 'the sender opened 3 cases in the last hour; at most 3 an hour (limits.openingsPerSenderPerHour)',
    });
    const told = refusals(RM);
    expect(told).toHaveLength(1);
    expect(told[0]!.parsed.text).toContain('one person may open at most 3 an hour');
    // A fifth is kept, not opened, and not answered again this hour (a looping sender gets one answer).
    const fifth = await request(`Alex Morgan <${RM}>`);
    expect(fifth.caseId).toBeNull();
    expect(refusals(RM)).toHaveLength(1);
    // The limit is per sender: a colleague still opens cases.
    expect((await request(`Chris Doe <${COLLEAGUE}>`)).caseId).toBeTruthy();
    // An hour on, the RM may open again.
    h.clock.advance(3600_000);
    expect((await request(`Alex Morgan <${RM}>`)).caseId).toBeTruthy();
    expect(await h.em().execute(`select 1 from escalation_case`)).toHaveLength(5);
  });

  it('recipients per opening: a request naming more than 4 people is refused with the reason', async () => {
    h.sink.clear();
    const crowd = ['a', 'b', 'c'].map((x) => `${x}@northshire.gov.uk`).join(', ');
    const r = await request(`Chris Doe <${COLLEAGUE}>`, { to: `${SAM}, ${crowd}`, cc: `${INBOX}, d@northshire.gov.uk` });
    expect(r.caseId).toBeNull();
    expect((await verdict(r.id)).reason).toBe('the request names 5 addresses in To and Cc; at most 4 may be named (limits.recipientsPerOpening)');
    const told = refusals(COLLEAGUE);
    expect(told).toHaveLength(1);
    expect(told[0]!.parsed.subject).toBe('Not opened: your escalation request (too many recipients)');
    expect(told[0]!.parsed.text).toContain('it names 5 people in To and Cc, and one request may name at most 4');
    // Nothing went to any of them.
    expect(h.sink.messages.filter((m) => m.envelope.to.some((t) => t.endsWith('@northshire.gov.uk')))).toEqual([]);
    // Four is allowed.
    expect(
      (await request(`Chris Doe <${COLLEAGUE}>`, { to: `${SAM}, a@northshire.gov.uk, b@northshire.gov.uk`, cc: `${INBOX}, d@northshire.gov.uk` })).caseId,
    ).toBeTruthy();
  });

  it('strangers quoting case references: one notice an hour per organisation, the rest in one summary', async () => {
    h.clock.advance(2 * 3600_000);
    h.sink.clear();
    const refs = (await h.em().execute<{ ref: string }[]>(`select ref from escalation_case order by ref`)).map((r) => r.ref);
    for (let i = 0; i < 6; i++) {
      const id = `<stranger-${i}@elsewhere.example>`;
      h.clock.advance(60_000);
      await mail.deliver(
        rfc822({
          from: `stranger${i}@elsewhere.example`,
          to: INBOX,
          subject: `About [${refs[i % refs.length]}]`,
          messageId: id,
          date: h.clock.now(),
          body: 'RESOLVED',
        }),
        id,
      );
    }
    expect(h.sink.messages.filter((m) => m.envelope.to.includes(RM))).toHaveLength(1);
    await h.advanceTo(new Date(h.clock.now().getTime() + 3600_000).toISOString());
    const summary = await h.sink.waitFor((m) => m.envelope.to.includes(RM) && (m.parsed.subject?.includes('from people not on the case') ?? false));
    expect(summary.parsed.subject).toMatch(/^5 messages from people not on the case, about ESC-/);
    for (let i = 1; i < 6; i++) expect(summary.parsed.text).toContain(`stranger${i}@elsewhere.example`);
    expect(h.sink.messages.filter((m) => m.envelope.to.includes(RM))).toHaveLength(2);
  });

  it('counts each limit in the metrics', async () => {
    const metrics = await (await fetch(`http://127.0.0.1:${h.service.httpPort}/metrics`)).text();
    expect(metrics).toContain('escalator_limits_reached_total{limit="openings-per-sender-per-hour"} 2');
    expect(metrics).toContain('escalator_limits_reached_total{limit="recipients-per-opening"} 1');
    expect(metrics).toContain('escalator_limits_reached_total{limit="stranger-notices-per-hour"} 5');
  });
});
