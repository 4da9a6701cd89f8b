// The fault suite's Microsoft Graph phase: the service as real processes (2 watchers, 2 workers)
// reading and sending through the Graph test server (mailbox.transport: graph), on the suite's own
// PostgreSQL and Redis, while every token it holds is revoked mid-run (401 until it asks again),
// Graph forgets the delta link (410 Gone: a full resync), and 429 storms with Retry-After hit the
// sends and the reads. At the end every request is stored once and opens one case, and every
// confirmation and chaser went out exactly once (by Message-ID).
import { afterAll, describe, expect, it } from 'vitest';
import { messageIdFor } from '../../src/outbound/compose/threading.js';
import { rfc822 } from '../support/escalator-harness.js';
import { GraphServer, makeCertificate } from '../support/graph-server.js';
import { FaultRig, INBOX, RM, SECRET } from './support/fault-rig.js';

const CASES = Number(process.env.FAULT_GRAPH_CASES ?? 60);
const T0 = '2026-11-23T09:30:00Z';
const RUNG_1 = '2026-12-07T11:00:00Z';
const REPLIES = '2026-12-08T10:00:00Z';
const TENANT = 'sunrise-homes.onmicrosoft.com';
const CLIENT = '3f0c9e52-8d1a-4b7e-9c61-5a2d7e4b1c90';

/** What a third of the professionals send: "done" needs the document, not only the word "attached". */
const REVIEW = { filename: 'care-plan-review.pdf', content: '%PDF-1.4\n% the care plan review\n' };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pro = (i: number) => `gpro${i}@northshire.gov.uk`;
const requestId = (i: number) => `<graph-fault-request-${i}@sunrise-homes.org.uk>`;
const resolves = (i: number) => i % 3 === 0;

async function waitUntil(fn: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

describe('fault suite, Graph phase: token expiry, 429 storms, delta reset', () => {
  let rig: FaultRig | undefined;
  let graph: GraphServer | undefined;
  let passed = false;

  afterAll(async () => {
    await rig?.close({ keepLogs: !passed || !!process.env.FAULT_KEEP_LOGS });
    await graph?.stop();
  });

  it(`reads and sends ${CASES} cases through Graph without losing or repeating a mail`, async () => {
    const startedAt = Date.now();
    const cert = await makeCertificate({ cn: 'escalator-faults' });
    graph = await GraphServer.start({ tenant: TENANT, clientId: CLIENT, mailboxes: [INBOX, RM] });
    graph.registerCertificate(cert.certPem);
    const g = graph;
    rig = await FaultRig.start({
      start: T0,
      workers: 2,
      watchers: 2,
      // One RM opens every case within minutes: lift the openings limit, as the chaos phase does.
      limits: { openingsPerSenderPerHour: 0 },
      resolution: 'auto',
      mailbox: {
        address: INBOX,
        name: 'Sunrise escalations',
        transport: 'graph',
        // The per-mailbox send limit would stretch the run; it has its own tests.
        graph: g.graphConfig({ certificatePath: cert.path }, { pollSeconds: 5, rateLimitPerMinute: 0, timeoutSeconds: 10 }),
      },
    });
    const r = rig;
    const faults: string[] = [];
    let maxLocks = 0;
    const onTick = async () => {
      maxLocks = Math.max(maxLocks, await r.mailboxLocksHeld());
    };
    const stored = async () => Number((await r.query<{ n: string }>(`select count(*) as n from message where message_id like '<graph-fault-request-%'`))[0]!.n);
    const deliver = (i: number) =>
      g.deliver(
        INBOX,
        rfc822({
          from: 'Alex Morgan <alex.morgan@sunrise-homes.org.uk>',
          to: `Professional ${i} <${pro(i)}>`,
          cc: INBOX,
          subject: `Care plan review ${i} [escalate]`,
          messageId: requestId(i),
          date: r.clock.now(),
          body: `Hi,\r\n\r\nCould you send the care plan review?\r\n\r\nChild: GF-${String(8000 + i)}\r\n\r\nAlex`,
        }),
      );

    // Requests arrive; halfway, every token is revoked (401 until a new one is asked for), then
    // Graph forgets the delta link (410 Gone) while more arrive.
    const third = Math.ceil(CASES / 3);
    for (let i = 1; i <= third; i++) deliver(i);
    await waitUntil(async () => (await stored()) >= third, 600_000, 'the first requests to be read');
    g.expireTokens();
    faults.push('every token revoked (401)');
    for (let i = third + 1; i <= 2 * third; i++) deliver(i);
    await waitUntil(async () => (await stored()) >= 2 * third, 600_000, 'the requests after the token expiry to be read');
    g.resetDelta();
    faults.push('delta link reset (410 Gone)');
    // A storm of 429s on the reads while the rest arrive.
    g.throttle({ count: 6, retryAfterSeconds: 2, match: /messages\/delta/ });
    for (let i = 2 * third + 1; i <= CASES; i++) deliver(i);
    await waitUntil(async () => (await stored()) >= CASES, 600_000, 'every request to be read');
    await r.drive('openings', { timeoutMs: 300_000, limit: new Date(RUNG_1), onTick });

    // Rung 1 falls due under a 429 storm on sendMail (Retry-After 2 s); the two-week jump of the
    // clock also takes every cached token past its expiry.
    const tokensBefore = g.tokenRequests.filter((t) => t.status === 200).length;
    g.throttle({ count: Math.ceil(CASES / 2), retryAfterSeconds: 2, match: /sendMail/ });
    faults.push('429 storm on sendMail');
    r.clock.set(RUNG_1);
    await r.drive('rung 1', { timeoutMs: 600_000, limit: new Date(REPLIES), onTick });
    const tokensAfterJump = g.tokenRequests.filter((t) => t.status === 200).length - tokensBefore;

    // A third of the professionals reply that it is done.
    const cases = await r.query<{ id: string; ref: string; status: string; child_ref: string }>(`select id, ref, status, child_ref from escalation_case`);
    const caseOf = (i: number) => cases.find((c) => c.child_ref === `GF-${String(8000 + i)}`);
    r.clock.set(REPLIES);
    let replies = 0;
    for (let i = 1; i <= CASES; i++) {
      const c = caseOf(i);
      if (!c || !resolves(i)) continue;
      const chaser = messageIdFor(SECRET, c.id, c.ref, 's1-chaser', INBOX);
      g.deliver(
        INBOX,
        rfc822({
          from: `Professional ${i} <${pro(i)}>`,
          to: INBOX,
          subject: `RE: Care plan review ${i} [${c.ref}]`,
          messageId: `<graph-fault-reply-${i}@northshire.gov.uk>`,
          date: r.clock.now(),
          inReplyTo: chaser,
          references: `${requestId(i)} ${chaser}`,
          body: 'Please find the care plan review attached, apologies for the delay.\r\n\r\nThanks',
          attachments: [REVIEW],
        }),
      );
      replies++;
    }
    await waitUntil(
      async () => Number((await r.query<{ n: string }>(`select count(*) as n from message where message_id like '<graph-fault-reply-%'`))[0]!.n) >= replies,
      600_000,
      'every reply to be read',
    );
    await r.drive('replies', { timeoutMs: 300_000, limit: new Date('2026-12-13T10:00:00Z'), onTick });

    // Figures.
    const sentIds = new Map<string, number>();
    for (const s of g.sent) if (s.messageId) sentIds.set(s.messageId, (sentIds.get(s.messageId) ?? 0) + 1);
    const duplicates = [...sentIds.entries()].filter(([, n]) => n > 1);
    const finalCases = await r.query<{ id: string; ref: string; status: string; child_ref: string }>(`select id, ref, status, child_ref from escalation_case`);
    const missingCases: number[] = [];
    const lostChasers: string[] = [];
    for (let i = 1; i <= CASES; i++) {
      const c = finalCases.find((x) => x.child_ref === `GF-${String(8000 + i)}`);
      if (!c) {
        missingCases.push(i);
        continue;
      }
      if (!sentIds.has(messageIdFor(SECRET, c.id, c.ref, 's1-chaser', INBOX))) lostChasers.push(c.ref);
    }
    const outbox = await r.query<{ message_id: string; status: string }>(`select message_id, status from outbox_mail`);
    const sentNotAtGraph = outbox.filter((o) => o.status === 'sent' && !sentIds.has(o.message_id));
    const stuck = outbox.filter((o) => o.status === 'pending' || o.status === 'sending');
    const storedTwice = await r.query(`select message_id from message group by mailbox, message_id having count(*) > 1`);
    const requestsStored = await stored();
    const resolved = finalCases.filter((c) => c.status === 'resolved').length;
    const answered = (status: number) => g.requests.filter((q) => q.status === status).length;
    const lost = missingCases.length + lostChasers.length + sentNotAtGraph.length + stuck.length + (CASES - requestsStored);
    console.log(
      [
        '',
        `fault suite, Graph phase: ${CASES} cases, ${((Date.now() - startedAt) / 60_000).toFixed(1)} min`,
        `  faults: ${faults.join(', ')}`,
        `  Graph answered 401 ×${answered(401)}, 429 ×${answered(429)}, 410 ×${answered(410)}; tokens issued ${g.tokenRequests.filter((t) => t.status === 200).length} (${tokensAfterJump} after the two-week clock jump)`,
        `  requests stored ${requestsStored} (each once: ${storedTwice.length === 0}), cases ${finalCases.length} (${resolved} resolved by a reply), mails sent through Graph ${g.sent.length} (${sentIds.size} distinct Message-IDs); most mailbox locks held at once: ${maxLocks}`,
        `mails lost: ${lost}, duplicates: ${duplicates.length} (Graph)`,
        '',
      ].join('\n'),
    );
    expect(answered(401), 'tokens rejected after the revocation').toBeGreaterThan(0);
    expect(answered(410), 'the delta link reset').toBeGreaterThan(0);
    expect(answered(429), '429 storms').toBeGreaterThan(0);
    expect(tokensAfterJump, 'a new token after the clock passed the old one’s expiry').toBeGreaterThan(0);
    expect(storedTwice).toEqual([]);
    expect(maxLocks, 'one watcher reads the mailbox').toBe(1);
    expect({ missingCases, lostChasers, sentNotAtGraph, stuck }).toEqual({ missingCases: [], lostChasers: [], sentNotAtGraph: [], stuck: [] });
    expect(duplicates).toEqual([]);
    expect(finalCases).toHaveLength(CASES);
    expect(resolved).toBe(Math.floor(CASES / 3));
    passed = true;
  });
});
