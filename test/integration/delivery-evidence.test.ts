// A mail whose worker died mid-send: the reconciler takes the row back marked abandoned, and the
// next attempt asks the server's Sent folder (Exchange Online and Gmail file what they accept)
// before sending it again. The probe runs against a real Dovecot; the send job against the real
// database and SMTP sink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/lib/logger.js';
import { SentFolderProbe } from '../../src/mail-account/sent-folder-probe.js';
import { reconcile, STUCK_SENDING_MS } from '../../src/workflows/jobs/reconcile.job.js';
import { sendMailJob } from '../../src/workflows/jobs/send-mail.job.js';
import { EVIDENCE_PATIENCE_MS } from '../../src/workflows/send/decide-send.js';
import { CaseMail, type OpenedCase } from '../support/case-mail.js';
import { startDovecot, type DovecotServer } from '../support/dovecot.js';
import { EscalatorHarness, RM } from '../support/escalator-harness.js';
import { freePort } from '../support/free-port.js';
import { ifStarted } from '../support/if-started.js';

describe('the server’s Sent folder as evidence of delivery', () => {
  let dovecot: DovecotServer;

  beforeAll(async () => {
    dovecot = await startDovecot();
    const client = await dovecot.connect();
    await client.mailboxCreate('Sent Items');
    await client.append(
      'Sent Items',
      ['From: a@b.example', 'To: c@d.example', 'Subject: x', 'Message-ID: <esc-2026-0001.s1-chaser.abc@sunrise-homes.org.uk>', '', 'body'].join('\r\n'),
      ['\\Seen'],
    );
    await client.logout();
  });
  afterAll(async () => {
    await ifStarted(dovecot, (x) => x.dispose());
  });

  const probe = (port: number, folder = 'Sent Items') =>
    new SentFolderProbe({
      host: dovecot.host,
      port,
      secure: false,
      tlsRejectUnauthorized: false,
      auth: { type: 'password', user: 'escalations', password: 'secret' },
      folder,
      logger: silentLogger,
    });

  it('finds a message the server filed, by Message-ID, and says when it is not there or cannot tell', async () => {
    expect(await probe(dovecot.port).lookFor('<esc-2026-0001.s1-chaser.abc@sunrise-homes.org.uk>')).toBe('found');
    expect(await probe(dovecot.port).lookFor('<esc-2026-0001.s2-chaser.abc@sunrise-homes.org.uk>')).toBe('not-found');
    expect(await probe(dovecot.port, 'No Such Folder').lookFor('<x@y>')).toBe('unknown');
    expect(await probe(await freePort()).lookFor('<x@y>')).toBe('unknown');
  });

  it('for a follow-up send (the same Message-ID filed before) counts as found only with one copy more', async () => {
    const id = '<esc-2026-0002.s1-chaser.def@sunrise-homes.org.uk>';
    const copy = ['From: a@b.example', 'To: c@d.example, e@f.example', 'Subject: y', `Message-ID: ${id}`, '', 'body'].join('\r\n');
    const client = await dovecot.connect();
    // The first submission, accepted for c@ and refused for a while for e@: the server filed it.
    await client.append('Sent Items', copy, ['\\Seen']);
    expect(await probe(dovecot.port).lookFor(id, 2)).toBe('not-found');
    // The follow-up to e@ was accepted too before its worker died: a second copy.
    await client.append('Sent Items', copy, ['\\Seen']);
    await client.logout();
    expect(await probe(dovecot.port).lookFor(id, 2)).toBe('found');
    expect(await probe(dovecot.port).lookFor(id, 3)).toBe('not-found');
  });
});

describe('the send job with a mail abandoned mid-send', () => {
  let h: EscalatorHarness;
  let c: OpenedCase;

  beforeAll(async () => {
    h = await EscalatorHarness.start({ name: 'evidence', start: '2026-11-23T10:00:00Z' });
    c = await new CaseMail(h).open({ professional: 'Sam Patel <sam.patel@northshire.gov.uk>', directives: ['Child: AB-5001'] });
  });
  afterAll(async () => {
    await ifStarted(h, (x) => x.close());
  });

  /** The real queues, except that sends are not queued: the test runs the send job itself. */
  const noSends = () => {
    const q = h.service.queues;
    return {
      ingest: (id: string) => q.ingest(id),
      advance: (id: string, at: Date) => q.advance(id, at),
      cancelAdvance: (id: string, at: Date) => q.cancelAdvance(id, at),
      send: () => Promise.resolve(undefined),
    };
  };

  /** The case's confirmation, as a killed worker would leave it: claimed, then silence. */
  async function abandonConfirmation(): Promise<{ id: string; messageId: string }> {
    const row = (
      await h.em().execute<{ id: string; message_id: string }[]>(`select id, message_id from outbox_mail where case_id = ? and kind = 'confirmation'`, [c.id])
    )[0]!;
    await h
      .em()
      .execute(`update outbox_mail set status = 'sending', claimed_at = ?, abandoned_at = null, smtp_response = null where id = ?`, [h.clock.now(), row.id]);
    h.clock.set(new Date(h.clock.now().getTime() + STUCK_SENDING_MS + 1_000).toISOString());
    const report = await reconcile({ ...h.service.deps, scheduler: noSends() });
    expect(report.unstuck).toBe(1);
    return { id: row.id, messageId: row.message_id };
  }

  const outboxRow = async (id: string) =>
    (
      await h
        .em()
        .execute<{ status: string; smtp_response: string | null; abandoned_at: Date | null; attempts: number; not_before: Date }[]>(
          `select status, smtp_response, abandoned_at, attempts, not_before from outbox_mail where id = ?`,
          [id],
        )
    )[0]!;
  const copies = (messageId: string) => h.sink.messages.filter((m) => m.messageId === messageId).length;

  it('records it as sent, without sending it again, when the server has it', async () => {
    const row = await abandonConfirmation();
    expect((await outboxRow(row.id)).abandoned_at).not.toBeNull();
    const before = copies(row.messageId);
    await sendMailJob({ ...h.service.deps, deliveryEvidence: () => Promise.resolve('found' as const) })({ outboxId: row.id });
    const after = await outboxRow(row.id);
    expect(after.status).toBe('sent');
    expect(after.smtp_response).toMatch(/^not sent again: found in the server’s Sent folder/);
    expect(copies(row.messageId)).toBe(before);
  });

  it('sends it when the server never had it', async () => {
    const row = await abandonConfirmation();
    const before = copies(row.messageId);
    await sendMailJob({ ...h.service.deps, deliveryEvidence: () => Promise.resolve('not-found' as const) })({ outboxId: row.id });
    expect((await outboxRow(row.id)).status).toBe('sent');
    expect(copies(row.messageId)).toBe(before + 1);
    expect(h.sink.messages.filter((m) => m.messageId === row.messageId).at(-1)!.envelope.to).toEqual([RM]);
  });

  it('waits and asks again while the folder cannot be read, then sends after an hour rather than never', async () => {
    const row = await abandonConfirmation();
    const before = copies(row.messageId);
    const attempts = (await outboxRow(row.id)).attempts;
    const unknown = { ...h.service.deps, deliveryEvidence: () => Promise.resolve('unknown' as const), scheduler: noSends() };
    await sendMailJob(unknown)({ outboxId: row.id });
    const waiting = await outboxRow(row.id);
    expect(waiting).toMatchObject({ status: 'pending', attempts });
    expect(new Date(waiting.not_before).getTime()).toBe(h.clock.now().getTime() + 2 * 60_000);
    expect(copies(row.messageId)).toBe(before);

    h.clock.set(new Date(new Date(waiting.abandoned_at!).getTime() + EVIDENCE_PATIENCE_MS + 1_000).toISOString());
    await sendMailJob(unknown)({ outboxId: row.id });
    expect((await outboxRow(row.id)).status).toBe('sent');
    expect(copies(row.messageId)).toBe(before + 1);
  });
});
