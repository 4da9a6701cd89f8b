// Operating the service: health and metrics, loop protection, the retention purge and a case's
// full export, on the real services.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseMail, operatorCli, writeHarnessConfig, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness, INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const SAM = 'sam.patel@northshire.gov.uk';
const JO = 'jo.bennett@northshire.gov.uk';

describe('operations: health, metrics, loop protection, retention and export', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  let config: string;
  let cli: ReturnType<typeof operatorCli>;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'operations', start: '2026-11-23T10:00:00Z' });
    mail = new CaseMail(h);
    config = writeHarnessConfig(h);
    cli = operatorCli(h, config);
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-30).join('\n'));
  });

  const get = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${h.service.httpPort}${path}`);
    return { status: res.status, body: await res.text() };
  };

  async function events(c: OpenedCase): Promise<{ type: string; detail: Record<string, unknown> }[]> {
    return h.em().execute(`select type, detail from case_event where case_id = ? order by id`, [c.id]);
  }

  it('/healthz, /readyz with the database, Redis and the IMAP watcher, and /metrics with what happened', async () => {
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-3001', `Team manager: Jo Bennett <${JO}>`] });
    expect((await get('/healthz')).status).toBe(200);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.body)).toEqual({
      ok: true,
      checks: [
        { name: 'postgres', ok: true },
        { name: 'redis', ok: true },
        { name: `imap:${INBOX}/INBOX`, ok: true, detail: expect.stringMatching(/^(idle|syncing)$/) as string },
      ],
    });

    // The first chaser meets a 451 once, then goes.
    h.sink.failNextTo(SAM, 1, 451);
    await h.advanceTo('2026-12-07T10:00:00Z');
    await waitFor(
      async () =>
        (await h.em().execute(`select 1 from outbox_mail where case_id = ? and kind = 'chaser' and attempts = 1 and status = 'pending'`, [c.id])).length > 0,
      { what: 'the chaser to be deferred' },
    );
    await h.advanceTo('2026-12-07T10:01:00Z');
    await h.sink.waitFor((m) => m.messageId === mail.chaserId(c, 1));
    await h.settle();

    const metrics = (await get('/metrics')).body;
    expect(metrics).toContain('escalator_messages_ingested_total{route="new-case",class="none"} 1');
    expect(metrics).toContain('escalator_chasers_sent_total{ladder="childrens-home-reg5",rung="professional-reminder"} 1');
    expect(metrics).toContain('escalator_mails_sent_total{kind="confirmation"} 1');
    expect(metrics).toContain('escalator_send_failures_total{kind="chaser",type="temporary"} 1');
    expect(metrics).toContain(`escalator_imap_connected{mailbox="${INBOX}/INBOX"} 1`);
    expect(metrics).toMatch(/escalator_queue_jobs\{queue="cases",state="delayed"\} 1\b/);
    expect(metrics).toContain('escalator_oldest_overdue_case_seconds 0');
    expect(metrics).toContain('process_resident_memory_bytes');

    // The next rung falls due by the clock but nothing has run it yet: the case is overdue.
    h.clock.set('2026-12-14T11:00:00Z');
    expect((await get('/metrics')).body).toContain('escalator_oldest_overdue_case_seconds 3600');
    await h.promoteDue();
    await h.settle();
    // The database-backed gauges are read at most once per 15 s of the service's clock.
    h.clock.advance(15_000);
    expect((await get('/metrics')).body).toContain('escalator_oldest_overdue_case_seconds 0');
  });

  it('never answers an auto-reply to its own acknowledgement (no loop)', async () => {
    h.clock.set('2026-12-15T10:00:00Z');
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-3002'] });
    await mail.command(c, ['NOTE: spoke to the team manager']);
    const ack = await h.sink.waitFor((m) => (m.parsed.subject?.startsWith('Done:') ?? false) && m.parsed.subject!.includes(c.ref));
    h.sink.clear();
    const ooo = '<ooo-to-ack@sunrise-homes.org.uk>';
    await mail.deliver(
      rfc822({
        from: `Alex Morgan <${RM}>`,
        to: INBOX,
        subject: `Automatic reply: ${ack.parsed.subject}`,
        messageId: ooo,
        date: h.clock.now(),
        inReplyTo: ack.messageId,
        references: ack.messageId,
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
        body: 'I am on leave until Monday. RESOLVED items will be looked at on my return.',
      }),
      ooo,
    );
    await h.promoteDue();
    await h.settle();
    const verdict = (await h.em().execute<{ route: string; case_id: string }[]>(`select route, case_id from message where message_id = ?`, [ooo]))[0]!;
    expect(verdict).toEqual({ route: 'automatic', case_id: c.id });
    expect(h.sink.messages).toHaveLength(0);
    expect((await h.caseByRef(c.ref))!.status).toBe('open');
  });

  it('holds back the 11th mail in ten minutes to one person on one case, with an event', async () => {
    h.clock.set('2026-12-16T10:00:00Z');
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-3003'] });
    // The case has already written to the RM (the confirmation): those count.
    const already = (await h.em().execute(`select 1 from outbox_mail where case_id = ? and "to" @> ?::jsonb`, [c.id, JSON.stringify([RM])])).length;
    expect(already).toBeGreaterThan(0);
    h.sink.clear();
    // A staff mailbox rule that keeps writing to the case: each note is acknowledged to the RM.
    for (let i = 1; i <= 12; i++) {
      h.clock.set(new Date(Date.parse('2026-12-16T10:00:00Z') + i * 20_000).toISOString());
      await mail.command(c, [`NOTE: update ${i}`]);
    }
    await h.settle();
    const acks = h.sink.messages.filter((m) => m.parsed.subject?.startsWith('Done:') && m.envelope.to.includes(RM));
    expect(acks).toHaveLength(10 - already);
    const held = (await events(c)).filter((e) => e.type === 'mail-held-back');
    expect(held).toHaveLength(12 - (10 - already));
    expect(held[0]!.detail).toMatchObject({ kind: 'command-ack', action: 'dropped', recipients: [RM] });
    // Every note was still recorded.
    expect((await events(c)).filter((e) => e.type === 'note-added')).toHaveLength(12);
    expect((await get('/metrics')).body).toContain(`escalator_loop_guard_total{kind="command-ack",action="dropped"} ${held.length}`);

    // Ten minutes later the count has room again.
    h.clock.set('2026-12-16T10:30:00Z');
    h.sink.clear();
    await mail.command(c, ['NOTE: a calmer update']);
    await h.sink.waitFor((m) => m.parsed.subject?.startsWith('Done:') ?? false);
  });

  it('escalator purge --dry-run says what would go; purge drops raw copies of old closed cases and keeps events, hashes and metadata', async () => {
    h.clock.set('2026-12-17T10:00:00Z');
    const closed = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-3004'] });
    await mail.command(closed, ['RESOLVED']);
    expect((await h.caseByRef(closed.ref))!.status).toBe('resolved');
    const open = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-3005'] });
    // Closed without resolution a day later: it counts from its close.
    h.clock.set('2026-12-18T10:00:00Z');
    const withdrawn = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-3007'] });
    await mail.command(withdrawn, ['CLOSE']);
    expect((await h.caseByRef(withdrawn.ref))!.status).toBe('closed');
    const outBefore = await h
      .em()
      .execute<{ id: string; raw: Buffer; status: string }[]>(`select id, raw, status from outbox_mail where case_id = ?`, [closed.id]);
    expect(outBefore.length).toBeGreaterThan(0);
    const eventsBefore = await events(closed);

    // Six years on nothing is due for purging.
    h.clock.set('2032-12-17T10:00:00Z');
    expect((await cli('purge', '--dry-run')).out).toContain('0 case(s), 0 inbound and 0 outbound message(s)');

    h.clock.set('2033-12-18T09:59:00Z');
    const dry = await cli('purge', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain(`${closed.ref}  closed 2026-12-17  would purge 2 inbound, ${outBefore.length} outbound`);
    expect(dry.out).not.toContain(withdrawn.ref);
    h.clock.set('2033-12-18T10:01:00Z');
    expect((await cli('purge', '--dry-run')).out).toContain(`${withdrawn.ref}  closed 2026-12-18  would purge 2 inbound`);
    h.clock.set('2033-12-18T09:59:00Z');
    expect(dry.out).not.toContain(open.ref);
    expect(dry.out).toContain('Dry run: nothing changed.');
    expect((await h.em().execute(`select 1 from message where case_id = ? and raw is null`, [closed.id])).length).toBe(0);

    const done = await cli('purge');
    expect(done.code).toBe(0);
    expect(done.out).toContain(`${closed.ref}  closed 2026-12-17  purged 2 inbound`);

    const inbound = await h
      .em()
      .execute<{ raw: Buffer | null; new_text: string | null; sha256: string; subject: string; raw_purged_at: Date | null; from_address: string }[]>(
        `select raw, new_text, sha256, subject, raw_purged_at, from_address from message where case_id = ?`,
        [closed.id],
      );
    expect(inbound.every((m) => m.raw === null && m.new_text === null && m.raw_purged_at !== null && m.sha256.length === 64 && m.from_address === RM)).toBe(
      true,
    );
    const outAfter = await h
      .em()
      .execute<{ id: string; raw: Buffer | null; sha256: string | null; subject: string }[]>(
        `select id, raw, sha256, subject from outbox_mail where case_id = ?`,
        [closed.id],
      );
    for (const o of outAfter) {
      const original = outBefore.find((b) => b.id === o.id)!;
      expect(o.raw).toBeNull();
      expect(o.sha256).toBe(createHash('sha256').update(original.raw).digest('hex'));
      expect(o.subject).toBeTruthy();
    }
    const eventsAfter = await events(closed);
    expect(eventsAfter.slice(0, eventsBefore.length)).toEqual(eventsBefore);
    expect(eventsAfter.at(-1)).toMatchObject({ type: 'raw-messages-purged', detail: { messages: 2, outbox: outBefore.length } });
    // The open case keeps everything.
    expect((await h.em().execute(`select 1 from message where case_id = ? and raw is null`, [open.id])).length).toBe(0);
    // Nothing more to do the second time.
    expect((await cli('purge')).out).toContain('0 case(s), 0 inbound and 0 outbound message(s)');
  });

  it('escalator cases export REF gives everything held about one case, raw copies included unless --no-raw', async () => {
    h.clock.set('2033-12-19T10:00:00Z');
    const c = await mail.open({ professional: `Sam Patel <${SAM}>`, directives: ['Child: AB-3006', `Team manager: Jo Bennett <${JO}>`] });
    const full = await cli('cases', 'export', c.ref);
    expect(full.code).toBe(0);
    const data = JSON.parse(full.out) as {
      format: string;
      case: { ref: string; child_ref: string };
      state: { childRef: string; participants: { email: string }[] };
      events: { type: string }[];
      messages: { message_id: string; raw_base64: string; raw_bytes: number; sha256: string }[];
      outbox: { kind: string; raw_base64: string; message_id: string }[];
    };
    expect(data.format).toBe('escalator-case-export/1');
    expect(data.case).toMatchObject({ ref: c.ref, child_ref: 'AB-3006' });
    expect(data.state.participants.map((p) => p.email)).toEqual(expect.arrayContaining([SAM, JO]));
    expect(data.events.map((e) => e.type)).toContain('case-opened');
    const request = data.messages.find((m) => m.message_id === c.requestId)!;
    const raw = Buffer.from(request.raw_base64, 'base64');
    expect(raw.length).toBe(request.raw_bytes);
    expect(createHash('sha256').update(raw).digest('hex')).toBe(request.sha256);
    const confirmation = data.outbox.find((o) => o.kind === 'confirmation')!;
    expect(
      Buffer.from(confirmation.raw_base64, 'base64')
        .toString()
        .replace(/\r\n\s+/g, ' '),
    ).toContain(`Message-ID: ${confirmation.message_id}`);

    const lean = JSON.parse((await cli('cases', 'export', c.ref, '--no-raw')).out) as typeof data;
    expect(lean.messages[0]).not.toHaveProperty('raw_base64');
    expect(lean.messages[0]!.raw_bytes).toBe(request.raw_bytes);
    expect((await cli('cases', 'export', 'ESC-1999-0001')).code).toBe(1);
  });
});
