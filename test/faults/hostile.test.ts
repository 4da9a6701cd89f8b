// The fault suite's hostile-sender phase (issue 13): the service as real processes (1 watcher,
// 2 workers, one killed with SIGKILL mid-flood) on its own PostgreSQL, Redis, Dovecot and SMTP
// sink, while strangers flood the inbox with case references and commands, a sender forged as the
// RM fails DMARC at our own server, commands spoofed as the RM arrive with nothing to prove them,
// forged bounces name a professional and a mail we never sent, a participant's mailbox loops, a
// staff mailbox rule floods tagged requests, and oversized mail arrives from staff, a participant
// and a stranger. Then the
// ladder's first rung falls due. Nothing may be lost, nothing sent twice, no forged action applied,
// and every notice the RM must see reaches them, alone or in a summary.
import { afterAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../src/outbound/compose/threading.js';
import { rfc822 } from '../support/escalator-harness.js';
import { FaultRig, INBOX, RM, SECRET } from './support/fault-rig.js';

const CASES = Number(process.env.HOSTILE_CASES ?? 20);
const STRANGERS = Number(process.env.HOSTILE_STRANGERS ?? 240);
const LOOPING_REPLIES = 40;
const OPENING_FLOOD = 35;
const OPENINGS_PER_HOUR = 30;
const LIMIT = 1_000_000;

const T0 = '2026-11-23T09:30:00Z';
const RUNG_1 = '2026-12-07T11:00:00Z';
const LOOPER = 'rule@sunrise-homes.org.uk';
const pro = (i: number) => `pro${i}@northshire.gov.uk`;
const requestId = (i: number) => `<hostile-request-${i}@sunrise-homes.org.uk>`;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const limit = (iso: string, hours: number) => new Date(Date.parse(iso) + hours * 3600_000);

describe('fault suite: hostile senders', () => {
  let rig: FaultRig | undefined;
  let passed = false;

  afterAll(async () => {
    await rig?.close({ keepLogs: !passed || !!process.env.FAULT_KEEP_LOGS });
  });

  it(`${STRANGERS} stranger messages, forged commands, a looping participant, a flooding rule and oversized mail change nothing they should not`, async () => {
    const startedAt = Date.now();
    rig = await FaultRig.start({
      start: T0,
      workers: 2,
      watchers: 1,
      limits: { maxMessageBytes: LIMIT, openingsPerSenderPerHour: OPENINGS_PER_HOUR, strangerNoticesPerHour: 1 },
    });
    const r = rig;
    await waitUntil(async () => (await r.mailboxLocksHeld()) === 1 && r.workers.every((w) => !!r.httpPort(w)), 60_000, 'the service processes to start');

    // ── The cases under attack ──
    for (let i = 1; i <= CASES; i++) {
      await r.append(
        rfc822({
          from: `Alex Morgan <${RM}>`,
          to: `Pro ${i} <${pro(i)}>`,
          cc: INBOX,
          subject: `Hostile ${i} review minutes [escalate]`,
          messageId: requestId(i),
          date: r.clock.now(),
          body: `Please send the minutes.\r\n\r\nChild: HS-${7000 + i}\r\n\r\nAlex`,
        }),
        r.clock.now(),
      );
    }
    await r.drive('opening', { timeoutMs: 180_000, limit: limit(T0, 2) });
    const cases = await r.query<{ id: string; ref: string; message_id: string }>(
      `select c.id, c.ref, m.message_id from escalation_case c join message m on m.case_id = c.id and m.route = 'new-case'`,
    );
    expect(cases).toHaveLength(CASES);
    const caseOf = (i: number) => cases.find((c) => c.message_id === requestId(i))!;
    const before = await r.query<{ id: string; state: unknown }>(`select id, state from escalation_case`);
    const sentBefore = r.sink.messages.length;

    // ── The hostile traffic, with a worker killed in the middle of it ──
    let n = 0;
    const hostile: string[] = [];
    const send = async (raw: string, id: string) => {
      hostile.push(id);
      await r.append(raw, r.clock.now());
    };
    const killAt = Math.floor(STRANGERS / 2);
    for (let s = 0; s < STRANGERS; s++) {
      const c = caseOf((s % CASES) + 1);
      const id = `<hostile-stranger-${++n}@elsewhere.example>`;
      // Strangers quoting references, half of them with commands in the body.
      await send(
        rfc822({
          from: `Stranger ${s % 30} <stranger${s % 30}@elsewhere.example>`,
          to: INBOX,
          subject: `RE: Hostile review minutes [${c.ref}]`,
          messageId: id,
          date: r.clock.now(),
          body: s % 2 === 0 ? 'RESOLVED\r\nCLOSE\r\nProfessional: Mallory <mallory@elsewhere.example>' : 'The minutes are attached, this is done.',
        }),
        id,
      );
      if (s === killAt) {
        const victim = r.workers.find((w) => w.running)!;
        await victim.kill('SIGKILL');
        setTimeout(() => {
          victim.start();
        }, 500);
      }
    }
    // A forged RM: our own server failed its DMARC.
    for (let i = 1; i <= 5; i++) {
      const c = caseOf(i);
      const id = `<hostile-forged-${i}@sunrise-homes.org.uk>`;
      await send(
        rfc822({
          from: `Alex Morgan <${RM}>`,
          to: INBOX,
          subject: `Re: Hostile ${i} review minutes [${c.ref}]`,
          messageId: id,
          date: r.clock.now(),
          inReplyTo: requestId(i),
          headers: {
            'Authentication-Results':
              'mx.sunrise-homes.org.uk; spf=fail smtp.mailfrom=sunrise-homes.org.uk; dkim=none; dmarc=fail header.from=sunrise-homes.org.uk',
          },
          body: 'CLOSE\r\nSKIP\r\nPAUSE until 1 June 2027',
        }),
        id,
      );
    }
    // Spoofed commands: the RM's address with nothing to prove it (no Authentication-Results): a
    // confirmation round trip to the real RM, nothing applied.
    for (let i = 6; i <= 10; i++) {
      const c = caseOf(i);
      const id = `<hostile-spoofed-${i}@sunrise-homes.org.uk>`;
      await send(
        rfc822({
          from: `Alex Morgan <${RM}>`,
          to: INBOX,
          subject: `Re: Hostile ${i} review minutes [${c.ref}]`,
          messageId: id,
          date: r.clock.now(),
          inReplyTo: requestId(i),
          verified: false,
          body: 'CLOSE\r\nProfessional: Mallory <mallory@elsewhere.example>',
        }),
        id,
      );
    }
    // Forged bounces: delivery reports quoting a case's reference and a professional's address,
    // about a Message-ID we never sent.
    for (let i = 11; i <= 15; i++) {
      const c = caseOf(i);
      const id = `<hostile-bounce-${i}@elsewhere.example>`;
      const b = `dsn-${i}`;
      await send(
        [
          `Authentication-Results: mx.sunrise-homes.org.uk; spf=pass smtp.mailfrom=elsewhere.example; dmarc=pass header.from=elsewhere.example`,
          `From: Mail Delivery System <mailer-daemon@elsewhere.example>`,
          `To: ${INBOX}`,
          `Subject: Undelivered Mail Returned to Sender [${c.ref}]`,
          `Message-ID: ${id}`,
          `Date: ${r.clock.now().toUTCString().replace('GMT', '+0000')}`,
          'MIME-Version: 1.0',
          `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
          '',
          `--${b}`,
          'Content-Type: text/plain',
          '',
          'Your message could not be delivered.',
          `--${b}`,
          'Content-Type: message/delivery-status',
          '',
          'Reporting-MTA: dns; mx.elsewhere.example',
          '',
          `Final-Recipient: rfc822; ${pro(i)}`,
          'Action: failed',
          'Status: 5.1.1',
          `--${b}`,
          'Content-Type: text/rfc822-headers',
          '',
          `Message-ID: <never-sent-${i}@sunrise-homes.org.uk>`,
          `Subject: Hostile ${i} review minutes [${c.ref}]`,
          `--${b}--`,
          '',
        ].join('\r\n'),
        id,
      );
    }
    // A participant's mailbox loops: forty replies in a few minutes.
    const looping: string[] = [];
    for (let k = 1; k <= LOOPING_REPLIES; k++) {
      const c = caseOf(1);
      const id = `<hostile-loop-${k}@northshire.gov.uk>`;
      looping.push(id);
      await r.append(
        rfc822({
          from: `Pro 1 <${pro(1)}>`,
          to: INBOX,
          subject: `RE: Hostile 1 review minutes [${c.ref}]`,
          messageId: id,
          date: r.clock.now(),
          inReplyTo: requestId(1),
          body: `Auto-forwarded copy ${k}: still with the team.`,
        }),
        r.clock.now(),
      );
    }
    // A staff mailbox rule resends tagged requests.
    for (let k = 1; k <= OPENING_FLOOD; k++) {
      await r.append(
        rfc822({
          from: `Mailbox rule <${LOOPER}>`,
          to: `Pro X <prox@northshire.gov.uk>`,
          cc: INBOX,
          subject: `Copy ${k} [escalate]`,
          messageId: `<hostile-opening-${k}@sunrise-homes.org.uk>`,
          date: r.clock.now(),
          body: `Child: HX-${8000 + k}`,
        }),
        r.clock.now(),
      );
    }
    // Oversized: from staff, from a participant, from a stranger.
    const big = 'x'.repeat(76) + '\r\n';
    const oversized = [
      { id: '<hostile-big-staff@sunrise-homes.org.uk>', from: `Alex Morgan <${RM}>`, i: 2 },
      { id: '<hostile-big-pro@northshire.gov.uk>', from: `Pro 3 <${pro(3)}>`, i: 3 },
      { id: '<hostile-big-stranger@elsewhere.example>', from: 'Stranger <big@elsewhere.example>', i: 4 },
    ];
    for (const o of oversized) {
      await r.append(
        rfc822({
          from: o.from,
          to: INBOX,
          subject: `RE: Hostile ${o.i} review minutes [${caseOf(o.i).ref}]`,
          messageId: o.id,
          date: r.clock.now(),
          inReplyTo: requestId(o.i),
          body: big.repeat(Math.ceil((LIMIT * 1.2) / big.length)),
        }),
        r.clock.now(),
      );
    }
    await r.drive('hostile traffic', { timeoutMs: 300_000, limit: limit(T0, 3) });
    // The hour's summaries go.
    r.clock.advance(61 * 60_000);
    await r.drive('summaries', { timeoutMs: 120_000, limit: limit(T0, 5) });

    // ── The ladder goes on: rung 1 falls due for every case ──
    r.clock.set(RUNG_1);
    await r.drive('rung 1', { timeoutMs: 300_000, limit: limit(RUNG_1, 5) });
    const exits = await Promise.all(r.processes.filter((p) => p.running).map((p) => p.terminate()));
    expect(exits.every((code) => code === 0)).toBe(true);

    // ── The figures ──
    const verdicts = await r.query<{ message_id: string; status: string; route: string; reason: string | null; case_id: string | null; id: string }>(
      `select id, message_id, status, route, reason, case_id from message where message_id like '<hostile-%' and message_id not like '<hostile-request-%'`,
    );
    const atSink = new Map<string, number>();
    for (const m of r.sink.messages) atSink.set(m.messageId, (atSink.get(m.messageId) ?? 0) + 1);
    const duplicates = [...atSink.entries()].filter(([, k]) => k > 1);
    const chaserId = (c: { id: string; ref: string }) => messageIdFor(SECRET, c.id, c.ref, 's1-chaser', INBOX);
    const lostChasers = cases.filter((c) => (atSink.get(chaserId(c)) ?? 0) !== 1).map((c) => c.ref);
    const pending = verdicts.filter((v) => v.status === 'pending');
    const stuck = await r.query(`select id from outbox_mail where status in ('pending', 'sending')`);
    // Everything a participant sent is recorded on its case.
    const loopRows = verdicts.filter((v) => looping.includes(v.message_id));
    const lostParticipant = looping.length - loopRows.filter((v) => v.status === 'processed' && v.case_id === caseOf(1).id).length;
    const lost = lostChasers.length + pending.length + stuck.length + lostParticipant;

    // Forged actions: anything a stranger's or forged message caused on a case beyond being flagged.
    const forgedIds = verdicts.filter((v) => hostile.includes(v.message_id)).map((v) => `message:${v.id}`);
    // Flagged, a reply passed on, or a confirmation asked of the real sender: nothing else may follow from them.
    const forgedEvents = await r.query<{ type: string }>(
      `select type from case_event where cause = any($1::text[]) and type not in ('message-flagged', 'confirmation-requested', 'reply-noted')`,
      [forgedIds],
    );
    const after = await r.query<{ id: string; status: string; participants: { email: string; undeliverable?: unknown }[] }>(
      `select id, status, state->'participants' as participants from escalation_case where id = any($1::uuid[])`,
      [cases.map((c) => c.id)],
    );
    const changed = after.filter((c) => c.status !== 'open' || c.participants.some((p) => p.email.includes('elsewhere') || p.undeliverable));
    const forgedApplied = forgedEvents.length + changed.length;

    const toRm = r.sink.messages.slice(sentBefore).filter((m) => m.envelope.to.includes(RM));
    const flaggedNotices = toRm.filter((m) => m.parsed.subject?.startsWith('Not acted on')).length;
    const strangerSummaries = toRm.filter((m) => m.parsed.subject?.includes('from people not on the case'));
    const loopNotices = toRm.filter((m) => m.parsed.subject?.startsWith('Reply received')).length;
    const loopSummaries = toRm.filter((m) => new RegExp(`^\\d+ more messages? from ${pro(1)}`).test(m.parsed.subject ?? ''));
    const notRead = verdicts.filter((v) => v.route === 'not-read');
    const openingRows = await r.query<{ route: string }>(`select route from message where message_id like '<hostile-opening-%'`);
    const refusedNotices = r.sink.messages.filter((m) => m.envelope.to.includes(LOOPER) && (m.parsed.subject?.startsWith('Not opened') ?? false));
    const notReadNotices = r.sink.messages.filter((m) => m.parsed.subject?.startsWith('Not read:'));
    const logs = r.processes.map((p) => p.logText()).join('\n');

    console.log(
      [
        '',
        `hostile senders: ${verdicts.length} messages in ${((Date.now() - startedAt) / 60_000).toFixed(1)} min (${STRANGERS} from strangers, 5 forged as the RM failing DMARC, 5 spoofed commands, 5 forged bounces, ${LOOPING_REPLIES} from a looping participant, ${OPENING_FLOOD} from a flooding staff rule, ${oversized.length} oversized), one worker killed mid-flood`,
        `  RM told: ${flaggedNotices} stranger notice(s) + ${strangerSummaries.length} summary(ies) listing the rest; the looping participant: ${loopNotices} notices + ${loopSummaries.length} summary(ies)`,
        `  openings by the rule: ${openingRows.filter((o) => o.route === 'new-case').length} opened, ${openingRows.filter((o) => o.route === 'quarantined').length} refused, ${refusedNotices.length} refusal mail(s); not read: ${notRead.length}, ${notReadNotices.length} notice(s)`,
        `  rung 1: ${cases.length - lostChasers.length} of ${cases.length} chasers accepted exactly once`,
        `mails lost: ${lost}, duplicates: ${duplicates.length}, forged actions applied: ${forgedApplied}`,
        '',
      ].join('\n'),
    );
    if (forgedApplied > 0)
      console.log(JSON.stringify({ forgedEvents, changed: changed.map((c) => ({ id: c.id, status: c.status, participants: c.participants })) }, null, 1));

    expect(pending).toEqual([]);
    expect(verdicts).toHaveLength(STRANGERS + 15 + LOOPING_REPLIES + OPENING_FLOOD + oversized.length);
    expect(lostChasers).toEqual([]);
    expect(stuck).toEqual([]);
    expect(lostParticipant).toBe(0);
    expect(duplicates).toEqual([]);
    expect(forgedEvents).toEqual([]);
    expect(changed.map((c) => c.id)).toEqual([]);
    expect(before).toHaveLength(CASES);
    // The RM heard of the strangers (one notice, the rest in summaries) and of every participant reply (alone or summarised).
    expect(flaggedNotices).toBeGreaterThanOrEqual(1);
    expect(strangerSummaries.length).toBeGreaterThanOrEqual(1);
    expect(loopNotices).toBeGreaterThanOrEqual(10);
    expect(loopSummaries.length).toBeGreaterThanOrEqual(1);
    // The rule opened its hour's allowance and was told once.
    expect(openingRows.filter((o) => o.route === 'new-case')).toHaveLength(OPENINGS_PER_HOUR);
    // One answer an hour (two if the refused requests straddle a clock hour).
    expect(refusedNotices.length).toBeGreaterThanOrEqual(1);
    expect(refusedNotices.length).toBeLessThanOrEqual(2);
    // Oversized: all three recorded; the staff sender and the RM (for the participant) told; the stranger's recorded only.
    expect(notRead.map((v) => v.message_id).sort()).toEqual(oversized.map((o) => o.id).sort());
    expect(notReadNotices).toHaveLength(2);
    // No sender text in any log line.
    for (const secret of ['elsewhere.example', 'Hostile 1 review', 'still with the team', 'HS-70', SECRET]) expect(logs).not.toContain(secret);
    passed = true;
  });
});

async function waitUntil(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await fn()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}
