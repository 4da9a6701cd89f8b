import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaseEvent, Message, OutboxMail } from '../../src/db/entities/index.js';
import { messageIdFor } from '../../src/outbound/compose/threading.js';
import { INBOX, RM, SECRET, rfc822 } from '../support/escalator-harness.js';
import { GraphHarness } from '../support/graph-harness.js';
import { ifStarted } from '../support/if-started.js';

const PROFESSIONAL = 'sam.patel@northshire.gov.uk';
const TEAM_MANAGER = 'jo.bennett@northshire.gov.uk';
const REQUEST_ID = '<graph-request-1@sunrise-homes.org.uk>';
const SUBJECT = 'LAC review minutes for AB-1234 [escalate]';

describe('over Microsoft Graph: request in, case opened, chaser out, reply in, resolved', () => {
  let h: GraphHarness;

  beforeAll(async () => {
    // Monday 23 November 2026, 10:00 in London.
    h = await GraphHarness.start({ name: 'graph-loop', start: '2026-11-23T10:00:00Z' });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });
  afterEach((ctx) => {
    if (ctx.task.result?.state === 'fail') console.log(h.logs.raw.slice(-30).join('\n'));
  });

  it('reads the tagged request by delta query, stores its MIME, opens the case and confirms through sendMail', async () => {
    h.deliver(
      rfc822({
        from: 'Alex Morgan <alex.morgan@sunrise-homes.org.uk>',
        to: 'Sam Patel <sam.patel@northshire.gov.uk>',
        cc: INBOX,
        subject: SUBJECT,
        messageId: REQUEST_ID,
        date: h.clock.now(),
        headers: { 'Thread-Index': 'AdtbN0qjRkH1Wvg8QyuN3Vb1pSkQ5A==' },
        body: 'Hi Sam,\r\n\r\nCould you send the minutes of the Looked After Review held on 2 November?\r\n\r\nChild: AB-1234\r\nTeam manager: Jo Bennett <jo.bennett@northshire.gov.uk>\r\n\r\nMany thanks,\r\nAlex',
      }),
    );
    await h.poll();

    const stored = await h.em().find(Message, { messageId: REQUEST_ID });
    expect(stored).toHaveLength(1);
    expect(stored[0]!.source).toBe('graph');
    expect(stored[0]!.route).toBe('new-case');
    // Fetched as MIME: the stored bytes are the message's own.
    expect(Buffer.from(stored[0]!.raw!).toString()).toContain('Thread-Index: AdtbN0qjRkH1Wvg8QyuN3Vb1pSkQ5A==');
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    expect(row.status).toBe('open');
    expect(row.nextActionAt?.toISOString()).toBe('2026-12-07T10:00:00.000Z');

    // Processed mail is categorised in the mailbox, as the IMAP watcher flags it.
    expect(h.graph.messagesIn(INBOX).map((m) => m.categories)).toEqual([['Escalator']]);

    const [confirmation] = h.sentTo(RM);
    expect(confirmation).toBeDefined();
    expect(confirmation!.contentType).toBe('text/plain');
    expect(confirmation!.savedToSentItems).toBe(true);
    const outbox = await h.em().findOneOrFail(OutboxMail, { case: row.id, kind: 'confirmation' });
    expect(outbox.status).toBe('sent');
    // The stored MIME went out byte for byte.
    expect(confirmation!.raw.equals(Buffer.from(outbox.raw!))).toBe(true);
    expect(outbox.smtpResponse).toMatch(/^202 Accepted by Microsoft Graph/);
    const parsed = await simpleParser(confirmation!.raw);
    expect(parsed.subject).toBe('Case opened: LAC review minutes for AB-1234 [ESC-2026-0001]');
    expect(parsed.inReplyTo).toBe(REQUEST_ID);
    // Exchange filed its copy in Sent Items.
    expect(h.graph.messagesIn(INBOX, 'sentitems').map((m) => m.internetMessageId)).toEqual([outbox.messageId]);
  });

  it('does not read the same mail again on the next poll, nor after a restart (the delta link is in Postgres)', async () => {
    const requestsBefore = h.graph.requests.filter((r) => r.path.endsWith('/$value')).length;
    await h.poll();
    await h.restart();
    await h.poll();
    const links = await h.em().execute<{ folder_key: string; link_kind: string }[]>(`select folder_key, link_kind from graph_delta_state`);
    expect(links).toEqual([{ folder_key: `${INBOX}/inbox`, link_kind: 'delta' }]);
    // The categorised message came back in the delta as changed, and was recognised, not fetched.
    expect(h.graph.requests.filter((r) => r.path.endsWith('/$value')).length).toBe(requestsBefore);
    expect(await h.em().count(Message, {})).toBe(1);
    expect(await h.em().count(OutboxMail, { kind: 'confirmation' })).toBe(1);
  });

  it('sends the rung-1 chaser with its threading headers byte for byte when it falls due', async () => {
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    await h.advanceTo('2026-12-07T10:00:00Z');
    await h.settle();
    const [chaser] = h.sentTo(PROFESSIONAL);
    expect(chaser).toBeDefined();
    const outbox = await h.em().findOneOrFail(OutboxMail, { case: row.id, kind: 'chaser' });
    expect(chaser!.raw.equals(Buffer.from(outbox.raw!))).toBe(true);
    const parsed = await simpleParser(chaser!.raw);
    expect(parsed.messageId).toBe(messageIdFor(SECRET, row.id, 'ESC-2026-0001', 's1-chaser', INBOX));
    expect(parsed.inReplyTo).toBe(REQUEST_ID);
    expect(parsed.references).toBe(REQUEST_ID);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(Buffer.from(parsed.headers.get('thread-index') as string, 'base64').subarray(0, 22)).toEqual(
      Buffer.from('AdtbN0qjRkH1Wvg8QyuN3Vb1pSkQ5A==', 'base64'),
    );
    // The RM is not on the chaser (one mail per step): their copy is the step notice.
    expect(chaser!.recipients.sort()).toEqual([PROFESSIONAL, TEAM_MANAGER].sort());
    const after = (await h.caseByRef('ESC-2026-0001'))!;
    expect(after.highestStep).toBe(1);
  });

  it('asks the RM to confirm when the professional replies that it is done', async () => {
    const row = (await h.caseByRef('ESC-2026-0001'))!;
    const chaserId = messageIdFor(SECRET, row.id, 'ESC-2026-0001', 's1-chaser', INBOX);
    h.clock.set('2026-12-07T14:12:00Z');
    h.deliver(
      rfc822({
        from: 'Sam Patel <sam.patel@northshire.gov.uk>',
        to: 'Sunrise escalations <escalations@sunrise-homes.org.uk>',
        cc: `Jo Bennett <${TEAM_MANAGER}>, Alex Morgan <${RM}>`,
        subject: 'RE: LAC review minutes for AB-1234 [ESC-2026-0001]',
        messageId: '<graph-reply-1@northshire.gov.uk>',
        date: h.clock.now(),
        inReplyTo: chaserId,
        references: `${REQUEST_ID} ${chaserId}`,
        body: 'I have sent the minutes to Alex by post today, so this is now done.\r\n\r\nSam',
      }),
    );
    await h.poll();
    const waiting = (await h.caseByRef('ESC-2026-0001'))!;
    expect(waiting.status).toBe('awaiting-confirmation');
    const events = await h.em().find(CaseEvent, { case: row.id }, { orderBy: { id: 'asc' } });
    expect(events.map((e) => e.type)).toEqual(['case-opened', 'step-sent', 'reply-received', 'awaiting-confirmation']);
    const outbox = await h.em().find(OutboxMail, { case: row.id, kind: 'confirm-request' });
    expect(outbox.map((o) => o.to)).toEqual([[RM]]);
  });
});
