// Bad input through the real ingest: well over a thousand malformed, mutated and hostile messages
// (the fixture corpus damaged in a dozen ways, chosen by a seeded generator, and hand-made nasties:
// a 10 MB header line, 50-deep message/rfc822, NUL bytes, broken boundaries, wrong charsets,
// header injection in directives). Stored as the watcher stores them (a few through IMAP itself)
// and ingested by the real ingest job on the running service. Nothing may crash, every message
// gets a verdict (with a reason when it is refused or set aside), a message that failed parsing
// changes no case, and no injected header or recipient reaches a mail we send.
import { Repositories } from '../../src/db/repositories/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeInbound } from '../../src/inbound/store-message.js';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { EscalatorHarness } from '../support/escalator-harness.js';
import { waitFor } from '../support/wait.js';
import { INJECTED_DOMAIN, malformedCorpus, type BadMessage } from './support/malformed-corpus.js';

const SEED = Number(process.env.BAD_INPUT_SEED ?? 7);
const MIN_MESSAGES = Number(process.env.BAD_INPUT_MIN ?? 1000);

describe('bad input through the real ingest', () => {
  let h: EscalatorHarness;
  let mail: CaseMail;
  const open: OpenedCase[] = [];
  let corpus: BadMessage[];

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'bad-input', start: '2026-12-01T10:00:00Z' });
    mail = new CaseMail(h);
    // Cases the fixtures' replies and tags may point at (ESC-2026-0001 … 0003).
    for (let i = 0; i < 3; i++)
      open.push(
        await mail.open({
          professional: `Sam Patel <sam.patel@northshire.gov.uk>`,
          directives: [`Child: AB-90${i}`, 'Team manager: Jo Bennett <jo.bennett@northshire.gov.uk>'],
        }),
      );
    corpus = malformedCorpus(SEED, MIN_MESSAGES);
  });
  afterAll(async () => {
    await (h as EscalatorHarness | undefined)?.close(); // unset if beforeAll failed
  });

  it(`gives each of ${MIN_MESSAGES}+ malformed messages a verdict, changes nothing it could not read, and never crashes`, async () => {
    expect(corpus.length).toBeGreaterThanOrEqual(MIN_MESSAGES);
    const before = new Map<string, unknown>();
    for (const c of open) before.set(c.id, (await h.caseByRef(c.ref))!.state);
    const eventsBefore = Number((await h.em().execute<{ n: string }[]>(`select count(*) as n from case_event`))[0]!.n);

    const deliveredAt = h.clock.now();
    const ids = new Map<string, string>(); // message row id -> corpus name
    for (const m of corpus) {
      if (m.via === 'imap') {
        await h.append(m.raw);
        continue;
      }
      // What the IMAP watcher does with a fetched message: store it (deduplicated), then queue its ingest.
      const stored = await Repositories.open(h.service.orm).transaction((tx) =>
        storeInbound(tx.messages, { mailbox: 'escalations@sunrise-homes.org.uk', raw: m.raw, size: m.raw.length, source: 'imap', receivedAt: deliveredAt }),
      );
      expect(stored.created, m.name).toBe(true);
      ids.set(stored.id, m.name);
      await h.service.queues.ingest(stored.id);
    }
    const viaImap = corpus.filter((m) => m.via === 'imap').length;
    try {
      await waitFor(
        async () => {
          const rows = await h
            .em()
            .execute<{ total: string; pending: string }[]>(`select count(*) as total, count(*) filter (where status = 'pending') as pending from message`);
          return Number(rows[0]!.total) >= open.length + corpus.length && Number(rows[0]!.pending) === 0;
        },
        { timeout: 240_000, interval: 500, what: `all ${corpus.length} messages to get a verdict (${viaImap} of them through IMAP)` },
      );
    } catch (error) {
      const pending = await h.em().execute<{ id: string; message_id: string }[]>(`select id, message_id from message where status = 'pending'`);
      const stored = await h.em().execute<{ message_id: string }[]>(`select message_id from message where message_id like '<nasty-%'`);
      console.log({
        pending: pending.map((p) => ids.get(p.id) ?? p.message_id).slice(0, 30),
        nastiesStored: stored.length,
        logs: h.logs.raw.filter((l) => !l.includes('"level":30')).slice(-20),
      });
      throw error;
    }
    await h.settle(60_000);

    const rows = await h.em().execute<
      {
        id: string;
        status: string;
        route: string | null;
        reason: string | null;
        case_id: string | null;
        analysis: { parseProblems?: string[] } | null;
      }[]
    >(`select id, status, route, reason, case_id, analysis from message where message_id like '<fuzz-%' or message_id like '<nasty-%'`);
    expect(rows).toHaveLength(corpus.length);
    const routes = new Map<string, number>();
    for (const r of rows) routes.set(`${r.status}/${r.route}`, (routes.get(`${r.status}/${r.route}`) ?? 0) + 1);
    console.log(`bad input: ${rows.length} messages (seed ${SEED}): ${[...routes.entries()].map(([k, n]) => `${k} ${n}`).join(', ')}`);

    // A verdict for every one, and a reason for every refusal.
    expect(rows.filter((r) => r.status === 'pending')).toEqual([]);
    const unexplained = rows.filter(
      (r) => (r.status === 'rejected' || ['quarantined', 'ignored', 'flagged', 'rejected'].includes(r.route ?? '')) && !r.reason?.trim(),
    );
    expect(unexplained.map((r) => ids.get(r.id) ?? r.id)).toEqual([]);
    const rejected = rows.filter((r) => r.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(100);

    // A message that could not be read changed no case: it opened none and caused no event (it may
    // be filed with the case it seems to belong to, as evidence, without acting on it).
    const causedByRejected = await h
      .em()
      .execute(`select cause from case_event where cause = any(?::text[])`, [`{${rejected.map((r) => `"message:${r.id}"`).join(',')}}`]);
    expect(causedByRejected).toEqual([]);
    // Every event since the fuzzing began was caused by a message that was read and processed.
    const since = await h.em().execute<{ cause: string | null }[]>(`select cause from case_event order by id offset ?`, [eventsBefore]);
    for (const e of since.filter((x) => x.cause?.startsWith('message:'))) {
      expect(rows.find((r) => `message:${r.id}` === e.cause)?.status, e.cause!).toBe('processed');
    }
    const changed = [];
    for (const c of open) {
      const now = (await h.caseByRef(c.ref))!.state;
      if (JSON.stringify(now) !== JSON.stringify(before.get(c.id))) changed.push(c.ref);
    }
    // The open cases may only have changed through processed messages (checked above); say which did.
    console.log(`open cases changed by readable fuzzed mail: ${changed.join(', ') || 'none'}`);

    // The worker never failed a job (a thrown ingest would be retried and counted here).
    const metrics = await h.service.registry.metrics();
    expect(metrics).not.toMatch(/escalator_job_failures_total\{job="ingest-message"\} [1-9]/);
    expect(h.logs.lines.filter((l) => l.msg === 'job failed')).toEqual([]);

    // Cases opened by the hostile requests chase on time; nothing injected reaches the wire.
    await h.advanceTo('2026-12-30T10:00:00Z');
    await h.settle(60_000);
    await h.promoteDue();
    await h.settle(60_000);
    expect(h.sink.messages.length).toBeGreaterThan(0);
    for (const m of h.sink.messages) {
      expect(
        m.envelope.to.some((a) => a.toLowerCase().endsWith(`@${INJECTED_DOMAIN}`)),
        m.parsed.subject ?? '',
      ).toBe(false);
      const head = m.raw.toString('latin1').split('\r\n\r\n')[0]!;
      const names = head
        .split('\r\n')
        .filter((l) => /^[\w-]+:/.test(l))
        .map((l) => l.slice(0, l.indexOf(':')).toLowerCase());
      expect(names).not.toContain('bcc');
      expect(names).not.toContain('x-evil');
      // The sender's own words may be quoted in a subject, on one line; never as an address.
      const addresses = [m.parsed.from, m.parsed.to, m.parsed.cc, m.parsed.bcc, m.parsed.replyTo]
        .flatMap((a) => (a ? (Array.isArray(a) ? a : [a]) : []))
        .flatMap((a) => a.value.map((v) => v.address ?? ''));
      expect(addresses.filter((a) => a.toLowerCase().includes(INJECTED_DOMAIN))).toEqual([]);
    }
  });
});
