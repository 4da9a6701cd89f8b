import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Message } from '../entities/index.js';
import type { MessageStatus, RouteName } from '../../domain/inbound/route-name.js';
import type { MessageRow } from '../entities/types.js';
import { boundQuery } from './bound-query.js';

/** A received message as first stored: its bytes and where it came from, before it is read. */
export interface NewMessage {
  id: string;
  mailbox: string;
  messageId: string;
  /** Null when the message is over the size limit: only a reference is kept. */
  raw: Buffer | null;
  /** An oversized message's header section, kept instead of the whole. */
  headers?: string | null;
  sha256: string;
  size: number;
  source: 'imap' | 'smtp-listener' | 'graph' | 'cli';
  receivedAt: Date;
  internalDate?: Date;
  uid?: number;
  uidValidity?: number;
  envelopeTo?: string[];
}

/** A stored message still waiting for its verdict, with its source. */
export interface PendingMessage {
  id: string;
  mailbox: string;
  raw: Buffer | null;
  receivedAt: Date;
  internalDate: Date | null;
  envelopeTo: string[] | null;
  size: number;
  /** The header section kept for a message that was not stored whole (over the size limit). */
  headers: string | null;
}

/** What reading a message decided, written on its row when it is processed. */
export type MessageVerdict = Partial<
  Pick<
    MessageRow,
    | 'route'
    | 'reason'
    | 'case'
    | 'fromAddress'
    | 'subject'
    | 'sentAt'
    | 'to'
    | 'cc'
    | 'inReplyTo'
    | 'references'
    | 'newText'
    | 'headers'
    | 'analysis'
    | 'processedAt'
  >
> & { status: 'processed' | 'rejected' };

/**
 * Inbound messages: stored once per (mailbox, Message-ID) the moment they arrive (pending), then
 * claimed by the ingest job and marked processed or rejected with their verdict.
 */
export class MessageRepository {
  constructor(private readonly em: EntityManager) {}

  /** Keeps the message unless this mailbox has its Message-ID already; then the stored one is named and nothing changes. */
  async store(m: NewMessage): Promise<{ id: string; created: boolean }> {
    const [stored] = await this.storeMany([m]);
    if (!stored) throw new Error('storeMany returned nothing for one message');
    return stored;
  }

  /**
   * Keeps several messages with one statement (the raw copies sent as binary parameters, not as
   * hex text in the SQL): for each, in order, its row id and whether it is new. A Message-ID this
   * mailbox has already (or one repeated within the list) keeps the row stored first.
   */
  async storeMany(list: readonly NewMessage[]): Promise<{ id: string; created: boolean }[]> {
    if (list.length === 0) return [];
    const row = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', '[]', '[]', ?, '[]', ?)`;
    const inserted = await this.pg<{ id: string }>(
      `insert into message (id, mailbox, message_id, source, uid_validity, uid, received_at, internal_date, size, sha256, raw, headers, status, "to", cc, envelope_to, "references", created_at)
       values ${list.map(() => row).join(', ')}
       on conflict (mailbox, message_id) do nothing returning id`,
      list.flatMap((m) => [
        m.id,
        m.mailbox,
        m.messageId,
        m.source,
        m.uidValidity ?? null,
        m.uid ?? null,
        m.receivedAt,
        m.internalDate ?? null,
        m.size,
        m.sha256,
        m.raw,
        m.headers ?? null,
        m.envelopeTo ? JSON.stringify(m.envelopeTo) : null,
        m.receivedAt,
      ]),
    );
    const created = new Set(inserted.map((r) => r.id));
    const out: { id: string; created: boolean }[] = [];
    const missing = list.filter((m) => !created.has(m.id));
    const existing = new Map<string, string>();
    if (missing.length > 0) {
      const rows = await this.em.execute<{ id: string; mailbox: string; message_id: string }[]>(
        `select id, mailbox, message_id from message where (mailbox, message_id) in (${missing.map(() => '(?, ?)').join(', ')})`,
        missing.flatMap((m) => [m.mailbox, m.messageId]),
      );
      for (const r of rows) existing.set(`${r.mailbox}\n${r.message_id}`, r.id);
    }
    for (const m of list) {
      if (created.has(m.id)) {
        out.push({ id: m.id, created: true });
        continue;
      }
      const id = existing.get(`${m.mailbox}\n${m.messageId}`);
      // The insert met this (mailbox, Message-ID); only a purge between the two statements removes it.
      if (!id) throw new Error('a stored message vanished while it was being stored again');
      out.push({ id, created: false });
    }
    return out;
  }

  /** A statement with bind parameters (`?`), in this repository's transaction. */
  private pg<T>(sql: string, params: readonly unknown[]): Promise<T[]> {
    return boundQuery<T>(this.em, sql, params);
  }

  /** The message, if it still waits for its verdict, with its source (read once, by plain SQL). */
  async findPending(id: string): Promise<PendingMessage | undefined> {
    const rows = await this.em.execute<
      {
        id: string;
        mailbox: string;
        raw: Buffer | null;
        received_at: Date;
        internal_date: Date | null;
        envelope_to: string[] | string | null;
        size: number;
        headers: string | null;
      }[]
    >(
      `select id, mailbox, case when octet_length(raw) <= ? then raw end as raw, octet_length(raw) as raw_bytes, received_at, internal_date, envelope_to, size, headers
         from message where id = ? and status = 'pending'`,
      [RAW_CHUNK_BYTES, id],
    );
    const r = rows[0] as ((typeof rows)[number] & { raw_bytes: number | string | null }) | undefined;
    if (!r) return undefined;
    const envelopeTo = typeof r.envelope_to === 'string' ? (JSON.parse(r.envelope_to) as string[]) : r.envelope_to;
    const bytes = r.raw_bytes === null ? null : Number(r.raw_bytes);
    return {
      id: r.id,
      mailbox: r.mailbox,
      raw: bytes !== null && bytes > RAW_CHUNK_BYTES ? await this.rawInChunks(id, bytes) : r.raw,
      receivedAt: new Date(r.received_at),
      internalDate: r.internal_date ? new Date(r.internal_date) : null,
      envelopeTo,
      size: r.size,
      headers: r.headers,
    };
  }

  /**
   * A large source read a slice at a time into one buffer. node-postgres returns a bytea as hex
   * text decoded in one synchronous step: for a 25 MB message, a 50 MB string on the heap and tens
   * of milliseconds of the event loop at once. Slices of RAW_CHUNK_BYTES keep both small; the
   * event loop runs between them. (node-postgres cannot receive a bytea in binary: it decodes
   * every field as UTF-8 text.)
   */
  private async rawInChunks(id: string, bytes: number): Promise<Buffer | null> {
    const out = Buffer.allocUnsafe(bytes);
    for (let at = 0; at < bytes; at += RAW_CHUNK_BYTES) {
      const rows = await this.em.execute<{ part: Buffer | null }[]>(`select substring(raw from ? for ?) as part from message where id = ?`, [
        at + 1,
        RAW_CHUNK_BYTES,
        id,
      ]);
      const part = rows[0]?.part;
      if (!part) return null;
      part.copy(out, at);
    }
    return out;
  }

  /**
   * The pending message's row locked for this transaction (without `raw`: the source was read
   * already, and the ORM would otherwise copy and compare it on flush). Null: gone, or decided already.
   */
  async claimPending(id: string): Promise<MessageRow | null> {
    const msg = await this.em.findOne(Message, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, exclude: ['raw'] });
    return msg?.status === 'pending' ? (msg as MessageRow) : null;
  }

  /** The new text of a claimed message, written (in the caller's transaction) before its verdict, for newTextOf. */
  async recordNewText(msg: MessageRow, newText: string | null): Promise<void> {
    msg.newText = newText;
    await this.em.flush();
  }

  /** Writes the verdict on a claimed message (flushed here, in the caller's transaction). */
  async markProcessed(msg: MessageRow, verdict: MessageVerdict): Promise<void> {
    Object.assign(msg, verdict);
    await this.em.flush();
  }

  /** A message that could not be read into a verdict at all: rejected with the reason, if it is still pending. */
  async reject(id: string, fields: { status: MessageStatus; route: RouteName; reason: string }, now: Date): Promise<void> {
    await this.em.nativeUpdate(Message, { id, status: 'pending' }, { ...fields, processedAt: now });
  }

  /**
   * How many cases this sender opened in this mailbox since `since`, counted under a lock per
   * organisation and sender (to the end of the transaction), so two workers cannot both slip under a limit.
   */
  async lockAndCountOpenings(orgId: string, mailbox: string, sender: string, since: Date): Promise<number> {
    await this.em.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`openings:${orgId}:${sender}`]);
    const rows = await this.em.execute<{ n: string }[]>(
      `select count(*) as n from message where mailbox = ? and route = 'new-case' and from_address = ? and processed_at > ?`,
      [mailbox, sender, since],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** Messages stored before `createdBefore` that never got a verdict (their ingest job was lost). */
  async stuckPending(createdBefore: Date): Promise<string[]> {
    const rows = await this.em.execute<{ id: string }[]>(`select id from message where status = 'pending' and created_at < ?`, [createdBefore]);
    return rows.map((r) => r.id);
  }

  /** A stored message's bytes (null: purged, or only its headers were kept), for forwarding what it carried. */
  async rawOf(id: string): Promise<Buffer | null> {
    const rows = await this.em.execute<{ raw: Buffer | null; raw_bytes: number | string | null }[]>(
      `select case when octet_length(raw) <= ? then raw end as raw, octet_length(raw) as raw_bytes from message where id = ?`,
      [RAW_CHUNK_BYTES, id],
    );
    const [r] = rows;
    if (r?.raw_bytes == null) return null;
    const bytes = Number(r.raw_bytes);
    return bytes > RAW_CHUNK_BYTES ? this.rawInChunks(id, bytes) : r.raw;
  }

  /** A stored message's new text (null: purged or never read), for the "What this is about" block of a chaser. */
  async newTextOf(id: string): Promise<string | null> {
    const rows = await this.em.execute<{ new_text: string | null }[]>(`select new_text from message where id = ?`, [id]);
    return rows[0]?.new_text ?? null;
  }

  /**
   * The messages filed with a case that came with attachments, oldest first (by time, then id):
   * what `escalator mail attachments` offers. `key` is the short key notices name a message by.
   */
  async withAttachmentsOfCase(caseId: string): Promise<{ id: string; key: string; receivedAt: Date; fromAddress: string | null; hasRaw: boolean }[]> {
    const rows = await this.em.execute<{ id: string; received_at: Date; from_address: string | null; has_raw: boolean }[]>(
      `select id, received_at, from_address, raw is not null as has_raw from message
        where case_id = ? and jsonb_array_length(coalesce(analysis->'attachments', '[]'::jsonb)) > 0
        order by received_at, id`,
      [caseId],
    );
    return rows.map((r) => ({
      id: r.id,
      key: r.id.replace(/-/g, '').slice(0, 16),
      receivedAt: new Date(r.received_at),
      fromAddress: r.from_address,
      hasRaw: r.has_raw,
    }));
  }
}

/** A source longer than this is read in slices of this size (see rawInChunks). */
export const RAW_CHUNK_BYTES = 2 * 1024 * 1024;
