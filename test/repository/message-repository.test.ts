// Inbound messages on PostgreSQL alone: stored once per mailbox and Message-ID, claimed by one
// ingest, decided once; what the reconciler finds never decided.
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NewMessage } from '../../src/db/repositories/index.js';
import { RAW_CHUNK_BYTES } from '../../src/db/repositories/message-repository.js';
import { repositoryDb, type RepositoryDb } from './support.js';

const T0 = new Date('2026-12-07T10:00:00Z');
const MAILBOX = 'escalations@home.example.org';

const message = (messageId: string, over: Partial<NewMessage> = {}): NewMessage => ({
  id: randomUUID(),
  mailbox: MAILBOX,
  messageId,
  raw: Buffer.from(`Message-ID: ${messageId}\r\n\r\nhello\r\n`),
  sha256: 'x',
  size: 40,
  source: 'imap',
  receivedAt: T0,
  ...over,
});

describe('MessageRepository', () => {
  let db: RepositoryDb;
  beforeAll(async () => {
    db = await repositoryDb('messages');
    // Returned, the teardown runs only once the database is open.
    return () => db.close();
  });

  it('store keeps a message once per mailbox and Message-ID and names the stored one on a repeat', async () => {
    const messages = db.repos().messages;
    const first = await messages.store(message('<once@x.example>', { envelopeTo: [MAILBOX] }));
    const again = await messages.store(message('<once@x.example>'));
    const elsewhere = await messages.store(message('<once@x.example>', { mailbox: 'other@home.example.org' }));
    expect(first.created).toBe(true);
    expect(again).toEqual({ id: first.id, created: false });
    expect(elsewhere.created).toBe(true);
    const pending = await messages.findPending(first.id);
    expect(pending).toMatchObject({ id: first.id, mailbox: MAILBOX, envelopeTo: [MAILBOX], receivedAt: T0, internalDate: null });
    expect(pending!.raw!.toString()).toContain('hello');
  });

  it('storeMany keeps a batch with one statement: every byte value survives, repeats in the batch and already stored ones name the first row', async () => {
    const messages = db.repos().messages;
    const before = await messages.store(message('<batch-old@x.example>'));
    // Every byte value, NUL and invalid UTF-8 included: the raw copy goes as a binary parameter.
    const bytes = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 256));
    const list = [
      message('<batch-a@x.example>', { raw: bytes, size: bytes.length, uid: 7, uidValidity: 3, internalDate: T0, envelopeTo: [MAILBOX] }),
      message('<batch-old@x.example>'),
      message('<batch-b@x.example>', { raw: null, headers: 'Subject: too big', size: 99_000_000 }),
      message('<batch-a@x.example>'),
    ];
    const stored = await db.repos().transaction((tx) => tx.messages.storeMany(list));
    expect(stored).toEqual([
      { id: list[0]!.id, created: true },
      { id: before.id, created: false },
      { id: list[2]!.id, created: true },
      { id: list[0]!.id, created: false },
    ]);
    const a = await messages.findPending(list[0]!.id);
    expect(a!.raw!.equals(bytes)).toBe(true);
    expect(a).toMatchObject({ envelopeTo: [MAILBOX], internalDate: T0, receivedAt: T0, size: 512 });
    const [row] = await db.sql<{ uid: string; uid_validity: string; status: string }>(`select uid, uid_validity, status from message where id = ?`, [
      list[0]!.id,
    ]);
    expect(row).toEqual({ uid: '7', uid_validity: '3', status: 'pending' });
    expect(await messages.findPending(list[2]!.id)).toMatchObject({ raw: null, headers: 'Subject: too big', size: 99_000_000 });
    expect(await db.sql(`select id from message where message_id = '<batch-a@x.example>'`)).toHaveLength(1);
  });

  it('rawOf reads a source larger than one slice whole', async () => {
    const raw = Buffer.alloc(RAW_CHUNK_BYTES + 3);
    for (let i = 0; i < raw.length; i++) raw[i] = (i * 7) & 0xff;
    const { id } = await db.repos().messages.store(message('<rawof@x.example>', { raw, size: raw.length }));
    expect((await db.repos().messages.rawOf(id))!.equals(raw)).toBe(true);
    const small = await db.repos().messages.store(message('<rawof-small@x.example>'));
    expect((await db.repos().messages.rawOf(small.id))!.toString()).toContain('hello');
  });

  it('findPending reads a source larger than one slice whole and byte for byte (slices at the edges included)', async () => {
    const messages = db.repos().messages;
    for (const extra of [0, 1, RAW_CHUNK_BYTES - 1]) {
      const raw = Buffer.alloc(2 * RAW_CHUNK_BYTES + extra);
      for (let i = 0; i < raw.length; i++) raw[i] = (i * 31 + extra) & 0xff;
      const { id } = await messages.store(message(`<large-${extra}@x.example>`, { raw, size: raw.length }));
      const pending = await messages.findPending(id);
      expect(pending!.raw!.length).toBe(raw.length);
      expect(pending!.raw!.equals(raw)).toBe(true);
    }
    const exact = Buffer.alloc(RAW_CHUNK_BYTES, 7);
    const { id } = await messages.store(message('<exact@x.example>', { raw: exact, size: exact.length }));
    expect((await messages.findPending(id))!.raw!.equals(exact)).toBe(true);
  });

  it('claimPending hands a pending message to one transaction; once processed it is not pending any more', async () => {
    const { id } = await db.repos().messages.store(message('<claim@x.example>'));
    await db.repos().transaction(async (tx) => {
      const msg = await tx.messages.claimPending(id);
      expect(msg?.id).toBe(id);
      await tx.messages.markProcessed(msg!, { status: 'processed', route: 'reply', processedAt: T0, to: ['a@x.example'] });
    });
    expect(await db.repos().messages.findPending(id)).toBeUndefined();
    expect(await db.repos().transaction((tx) => tx.messages.claimPending(id))).toBeNull();
    const [row] = await db.sql<{ status: string; route: string; to: string[] }>(`select status, route, "to" from message where id = ?`, [id]);
    expect(row).toEqual({ status: 'processed', route: 'reply', to: ['a@x.example'] });
  });

  it('reject records why only while the message is still pending', async () => {
    const messages = db.repos().messages;
    const { id } = await messages.store(message('<reject@x.example>'));
    await messages.reject(id, { status: 'rejected', route: 'quarantined', reason: 'no organisation' }, T0);
    await messages.reject(id, { status: 'rejected', route: 'rejected', reason: 'second verdict' }, T0);
    const [row] = await db.sql<{ status: string; route: string; reason: string }>(`select status, route, reason from message where id = ?`, [id]);
    expect(row).toEqual({ status: 'rejected', route: 'quarantined', reason: 'no organisation' });
  });

  it('stuckPending lists messages never decided, stored before the moment given', async () => {
    const messages = db.repos().messages;
    const old = await messages.store(message('<old@x.example>'));
    await db.sql(`update message set created_at = ? where id = ?`, [new Date(T0.getTime() - 120_000), old.id]);
    const young = await messages.store(message('<young@x.example>'));
    await db.sql(`update message set created_at = ? where id = ?`, [T0, young.id]);
    const stuck = await messages.stuckPending(new Date(T0.getTime() - 60_000));
    expect(stuck).toContain(old.id);
    expect(stuck).not.toContain(young.id);
  });
});
