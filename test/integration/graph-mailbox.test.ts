// The Graph mailbox's reading and sending beyond the happy path, the whole service on the Graph
// test server, real PostgreSQL and Redis: delta rounds over several pages, a round cut short and
// resumed, a 410 Gone full resync, throttled reads, a refused send told to the RM, blind copies,
// and "did it go?" answered from Sent Items.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Message, OutboxMail } from '../../src/db/entities/index.js';
import { GraphWatcher } from '../../src/inbound/graph-watcher.js';
import { silentLogger } from '../../src/lib/logger.js';
import { GraphError } from '../../src/mail-account/graph/graph-client.js';
import { GraphTransport } from '../../src/outbound/transport/graph-transport.js';
import { SendError } from '../../src/runtime/mail-transport.js';
import { reconcile, STUCK_SENDING_MS } from '../../src/workflows/jobs/reconcile.job.js';
import { sendMailJob } from '../../src/workflows/jobs/send-mail.job.js';
import { INBOX, RM, rfc822 } from '../support/escalator-harness.js';
import { GraphHarness } from '../support/graph-harness.js';
import { waitFor } from '../support/wait.js';
import { ifStarted } from '../support/if-started.js';

const PROFESSIONAL = 'sam.patel@northshire.gov.uk';

const staffNote = (n: number, at: Date) =>
  rfc822({
    from: 'Alex Morgan <alex.morgan@sunrise-homes.org.uk>',
    to: 'Sam Patel <sam.patel@northshire.gov.uk>',
    cc: INBOX,
    subject: `FYI ${n}`,
    messageId: `<fyi-${n}@sunrise-homes.org.uk>`,
    date: at,
    body: `Just copying the inbox (${n}).`,
  });

const request = (n: number, at: Date) =>
  rfc822({
    from: 'Alex Morgan <alex.morgan@sunrise-homes.org.uk>',
    to: `Sam Patel <${PROFESSIONAL}>`,
    cc: INBOX,
    subject: `Care plan ${n} [escalate]`,
    messageId: `<request-${n}@sunrise-homes.org.uk>`,
    date: at,
    body: `Hi Sam,\r\n\r\nCould you send the care plan?\r\n\r\nChild: AB-${5000 + n}\r\n\r\nAlex`,
  });

describe('reading a Graph mailbox', () => {
  let h: GraphHarness;

  beforeAll(async () => {
    h = await GraphHarness.start({ name: 'graph-read', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-30).join('\n'));
  });

  const fetches = () => h.graph.requests.filter((r) => r.path.endsWith('/$value') && r.status === 200).length;
  const stored = () => h.em().count(Message, {});
  const position = async () =>
    (await h.em().execute<{ link_kind: string }[]>(`select link_kind from graph_delta_state where folder_key = ?`, [`${INBOX}/inbox`]))[0]?.link_kind;

  it('one watcher per mailbox: a second one waits for the mailbox lock and reads nothing', async () => {
    const second = new GraphWatcher({
      mailbox: INBOX,
      account: h.service.graphAccount('sunrise-homes')!,
      orm: h.service.orm,
      databaseUrl: h.db.url,
      scheduler: h.service.queues,
      clock: h.clock,
      logger: silentLogger,
      maxMessageBytes: 1024 * 1024,
    });
    const deltasBefore = h.graph.requests.filter((r) => r.path.includes('/messages/delta')).length;
    second.start();
    try {
      await waitFor(() => second.state === 'waiting-for-lock', { what: 'the second watcher to wait for the lock' });
      expect(h.service.graphWatchers.map((w) => w.state)).toEqual(['idle']);
      expect(h.graph.requests.filter((r) => r.path.includes('/messages/delta')).length).toBe(deltasBefore);
    } finally {
      await second.stop();
    }
  });

  it('follows @odata.nextLink over several pages, storing each page with the link to ask next', async () => {
    for (let n = 1; n <= 60; n++) h.deliver(staffNote(n, h.clock.now()));
    await h.poll();
    expect(await stored()).toBe(60);
    expect(fetches()).toBe(60);
    expect(await position()).toBe('delta');
    // Two pages of 50 and 10, then nothing new.
    const deltas = h.graph.requests.filter((r) => r.path.includes('/messages/delta'));
    expect(deltas.length).toBeGreaterThanOrEqual(2);
  });

  it('resumes a round cut short (a throttled page) from the stored @odata.nextLink: nothing missed, nothing twice', async () => {
    // The categories added to the first 60 come back as changes first; let that round pass.
    await h.poll();
    const before = { stored: await stored(), fetches: fetches() };
    for (let n = 61; n <= 130; n++) h.deliver(staffNote(n, h.clock.now()));
    // The first page goes through; the next delta request is throttled.
    let deltaCalls = 0;
    h.graph.throttle({ count: 1, retryAfterSeconds: 1, match: { test: (s: string) => s.includes('/messages/delta') && ++deltaCalls === 2 } as RegExp });
    const failed = await Promise.all(h.service.graphWatchers.map((w) => w.pollNow())).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(GraphError);
    expect((failed as GraphError).status).toBe(429);
    expect(await position()).toBe('next');
    expect((await stored()) - before.stored).toBe(50);
    await h.poll();
    expect((await stored()) - before.stored).toBe(70);
    expect(fetches() - before.fetches).toBe(70);
    expect(await position()).toBe('delta');
  });

  it('reads the whole folder again after 410 Gone, without fetching or ingesting anything twice', async () => {
    const before = { stored: await stored(), fetches: fetches() };
    h.deliver(request(1, h.clock.now()));
    h.graph.resetDelta();
    await h.poll();
    expect(h.graph.requests.some((r) => r.path.includes('/messages/delta') && r.status === 410)).toBe(true);
    expect(h.logs.lines.some((l) => l.msg === 'delta link no longer valid (410 Gone); reading the folder again in full')).toBe(true);
    // 131 messages listed again; only the new one fetched and stored.
    expect((await stored()) - before.stored).toBe(1);
    expect(fetches() - before.fetches).toBe(1);
    expect(await h.em().count(Message, { messageId: '<request-1@sunrise-homes.org.uk>' })).toBe(1);
    expect((await h.caseByRef('ESC-2026-0001'))?.status).toBe('open');
    expect(await h.em().count(OutboxMail, { kind: 'confirmation' })).toBe(1);
  });
});

describe('sending through Graph', () => {
  let h: GraphHarness;

  beforeAll(async () => {
    h = await GraphHarness.start({
      name: 'graph-send',
      start: '2026-11-23T10:00:00Z',
      graph: { processed: { action: 'move', folder: 'Escalator/Processed' } },
    });
    h.deliver(request(1, h.clock.now()));
    await h.poll();
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-30).join('\n'));
  });

  it('moves processed mail to the configured folder, creating it (processed.action: move)', async () => {
    expect(h.graph.messagesIn(INBOX)).toEqual([]);
    const folder = h.graph.folderIdOf(INBOX, 'Escalator/Processed');
    expect(folder).toBeDefined();
    expect(h.graph.messagesIn(INBOX, folder).map((m) => m.internetMessageId)).toEqual(['<request-1@sunrise-homes.org.uk>']);
    // The move shows in the next round as a message gone from the Inbox: nothing is read again.
    await h.poll();
    expect(await h.em().count(Message, {})).toBe(1);
  });

  it('with saveToSentItems off, sends through a draft marked delete-after-submit: the same bytes, no copy kept', async () => {
    const account = h.service.graphAccount('sunrise-homes')!;
    const raw = Buffer.from(
      rfc822({ from: INBOX, to: PROFESSIONAL, subject: 'no copy', messageId: '<nocopy-1@sunrise-homes.org.uk>', date: h.clock.now(), body: 'x' }),
    );
    await new GraphTransport(account.client, { saveToSentItems: false }).send({ from: INBOX, to: [PROFESSIONAL] }, raw);
    const sent = h.graph.sent.at(-1)!;
    expect(sent.raw.equals(raw)).toBe(true);
    expect(sent.savedToSentItems).toBe(false);
    expect(h.graph.messagesIn(INBOX, 'sentitems').some((m) => m.internetMessageId === '<nocopy-1@sunrise-homes.org.uk>')).toBe(false);
    expect(h.graph.messagesIn(INBOX, 'drafts')).toEqual([]);
    expect(h.graph.requests.slice(-3).map((r) => `${r.method} ${r.path.replace(/AAMk[\w-]+/, '{id}')}`)).toEqual([
      'POST messages',
      'PATCH messages/{id}',
      'POST messages/{id}/send',
    ]);
  });

  it('a message Graph refuses (400) fails at once, and the RM is told the reason', async () => {
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    h.graph.sendRefusals.push({
      match: /^To: .*sam\.patel@northshire\.gov\.uk/m,
      status: 400,
      code: 'ErrorInvalidRecipients',
      message: "At least one recipient isn't valid.",
      count: 1,
    });
    await h.advanceTo('2026-12-07T10:00:00Z');
    await h.settle();
    const chaser = await h.em().findOneOrFail(OutboxMail, { case: row.id, kind: 'chaser' });
    expect(chaser.status).toBe('failed');
    expect(chaser.attempts).toBe(1);
    expect(chaser.lastError).toContain("Microsoft Graph refused the message: HTTP 400 ErrorInvalidRecipients: At least one recipient isn't valid.");
    const notice = h.sentTo(RM).find((s) => s.raw.toString().includes('Subject: Not delivered:'));
    expect(notice).toBeDefined();
    // Said in plain words (issue 20); the server's code stays in the outbox row's lastError above.
    expect(notice!.raw.toString()).toMatch(/X-Escalator-Case: ESC-2026-0001/);
  });

  it('sends a blind copy as a Bcc line in front of the stored bytes; refuses an envelope narrower than the headers', async () => {
    const account = h.service.graphAccount('sunrise-homes')!;
    const transport = new GraphTransport(account.client, { saveToSentItems: true });
    const raw = Buffer.from(rfc822({ from: INBOX, to: PROFESSIONAL, subject: 'x', messageId: '<bcc-1@sunrise-homes.org.uk>', date: h.clock.now(), body: 'x' }));
    const result = await transport.send({ from: INBOX, to: [PROFESSIONAL, 'auditor@sunrise-homes.org.uk'] }, raw);
    expect(result.accepted).toEqual([PROFESSIONAL, 'auditor@sunrise-homes.org.uk']);
    const sent = h.graph.sent.at(-1)!;
    expect(sent.recipients.sort()).toEqual(['auditor@sunrise-homes.org.uk', PROFESSIONAL]);
    expect(sent.raw.toString()).toBe(`Bcc: auditor@sunrise-homes.org.uk\r\n${raw.toString()}`);
    const narrower = await transport
      .send(
        { from: INBOX, to: [PROFESSIONAL] },
        Buffer.from(rfc822({ from: INBOX, to: `${PROFESSIONAL}, ${RM}`, subject: 'y', messageId: '<n@x>', date: h.clock.now(), body: 'y' })),
      )
      .catch((e: unknown) => e);
    expect(narrower).toBeInstanceOf(SendError);
    expect((narrower as SendError).temporary).toBe(false);
  });

  it('answers "did it go?" from Sent Items: a mail abandoned mid-send that Exchange filed is not sent again', async () => {
    const c = (await h.caseByRef('ESC-2026-0001'))!;
    const row = await h.em().findOneOrFail(OutboxMail, { case: c.id, kind: 'confirmation' });
    expect(h.graph.messagesIn(INBOX, 'sentitems').some((m) => m.internetMessageId === row.messageId)).toBe(true);
    const noSends = {
      ingest: (id: string) => h.service.queues.ingest(id),
      advance: (id: string, at: Date) => h.service.queues.advance(id, at),
      cancelAdvance: (id: string, at: Date) => h.service.queues.cancelAdvance(id, at),
      send: () => Promise.resolve(undefined),
    };
    const abandon = async () => {
      await h.em().execute(`update outbox_mail set status = 'sending', claimed_at = ?, abandoned_at = null where id = ?`, [h.clock.now(), row.id]);
      h.clock.set(new Date(h.clock.now().getTime() + STUCK_SENDING_MS + 1_000).toISOString());
      expect((await reconcile({ ...h.service.deps, scheduler: noSends })).unstuck).toBe(1);
    };
    const copies = () => h.graph.sent.filter((s) => s.raw.includes(row.messageId)).length;
    await abandon();
    const before = copies();
    await sendMailJob(h.service.deps)({ outboxId: row.id });
    expect(copies()).toBe(before);
    const found = await h.em().findOneOrFail(OutboxMail, { id: row.id }, { refresh: true });
    expect(found.status).toBe('sent');
    expect(h.graph.requests.some((r) => r.path.startsWith('mailFolders/sentitems/messages'))).toBe(true);

    // Not in Sent Items (Exchange never took it): sent.
    const sentItems = h.graph.mailboxes.get(INBOX)!;
    for (const m of h.graph.messagesIn(INBOX, 'sentitems')) if (m.internetMessageId === row.messageId) sentItems.messages.delete(m.id);
    await abandon();
    await sendMailJob(h.service.deps)({ outboxId: row.id });
    expect(copies()).toBe(before + 1);
  });
});
