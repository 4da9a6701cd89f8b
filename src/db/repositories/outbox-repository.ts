import type { EntityManager } from '@mikro-orm/postgresql';
import type { EventDraft } from '../../domain/case/decision.js';
import { outboxKindSchema, type OutboxKind } from '../../domain/case/mail-intents.js';
import { OutboxMail } from '../entities/index.js';
import type { OutboxRow } from '../entities/types.js';
import { CaseRepository } from './case-repository.js';

/**
 * A follow-up send to recipients a submission was refused for with a 4xx: the same stored bytes
 * and Message-ID, an envelope of those recipients only (see src/workflows/outbox-resend.ts).
 */
export interface ResendRow {
  id: string;
  dedupeKey: string;
  envelopeTo: string[];
  to: string[];
  cc: string[];
  notBefore: Date;
  attempts: number;
}

/** The follow-up to write with an acceptance, and the events it puts on each case the mail was about. */
export interface FollowUp {
  resend: ResendRow;
  events: { caseId: string; events: EventDraft[] }[];
}

/** The columns a new outbox row is written with (the rest take their defaults). */
export type NewOutboxRow = Pick<
  OutboxRow,
  | 'id'
  | 'organisationId'
  | 'case'
  | 'kind'
  | 'dedupeKey'
  | 'messageId'
  | 'step'
  | 'envelopeFrom'
  | 'envelopeTo'
  | 'to'
  | 'cc'
  | 'subject'
  | 'raw'
  | 'status'
  | 'notBefore'
  | 'attempts'
  | 'createdAt'
  | 'updatedAt'
> &
  Partial<Pick<OutboxRow, 'waitsForWindow' | 'resendOf' | 'lastError' | 'smtpResponse' | 'claimedAt' | 'sentAt' | 'causeSender' | 'causeKind'>>;

const cut = (text: string) => text.slice(0, 1000);

/**
 * The outbox: every mail the service will send, and every change of its state. A row's life is
 * held (an approval draft) → pending → sending (claimed by one send job) → sent | failed, or
 * cancelled; a claimed row goes back to pending when it must wait (putBack, release, retryLater)
 * and a row whose worker died mid-send is taken back by the reconciler (takeBackAbandoned). Each
 * method is one of those changes, guarded by the state it starts from, so a second run of the same
 * job changes nothing.
 */
export class OutboxRepository {
  constructor(private readonly em: EntityManager) {}

  find(id: string): Promise<OutboxRow | null> {
    return this.em.findOne(OutboxMail, { id }, { refresh: true });
  }

  findByDedupeKey(dedupeKey: string): Promise<OutboxRow | null> {
    return this.em.findOne(OutboxMail, { dedupeKey });
  }

  /** Writes a new row (flushed with the caller's unit of work). */
  add(row: NewOutboxRow): OutboxRow {
    return this.em.create(OutboxMail, row as OutboxRow);
  }

  /** The row's organisation, kind and whether it is a follow-up, without loading its bytes. */
  async kindOf(id: string): Promise<{ organisationId: string; kind: string; resendOf: string | null } | undefined> {
    const rows = await this.em.execute<{ organisation_id: string; kind: string; resend_of: string | null }[]>(
      `select organisation_id, kind, resend_of from outbox_mail where id = ?`,
      [id],
    );
    const r = rows[0];
    return r ? { organisationId: r.organisation_id, kind: r.kind, resendOf: r.resend_of } : undefined;
  }

  /** pending → sending, one attempt more, if it may go by `now`. False: another run has it, or it is not due. */
  async claim(id: string, now: Date): Promise<boolean> {
    const rows = await this.em.execute<{ id: string }[]>(
      `update outbox_mail set status = 'sending', claimed_at = ?, attempts = attempts + 1, updated_at = ?
       where id = ? and status = 'pending' and not_before <= ? returning id`,
      [now, now, id, now],
    );
    return rows.length > 0;
  }

  /**
   * Claims a chaser and every other pending chaser of the organisation to exactly the same To and
   * Cc that is due (at most `max` in all). The claims of one recipient group take turns (a
   * transaction-scoped advisory lock on the group), so the first job claims the whole group and
   * the others find their rows taken.
   */
  async claimGroup(orgId: string, id: string, now: Date, max: number): Promise<{ claimed: boolean; others: OutboxRow[] }> {
    return this.em.transactional(async (tx) => {
      const found = await tx.execute<{ to: string[]; cc: string[] }[]>(`select "to", cc from outbox_mail where id = ?`, [id]);
      if (!found[0]) return { claimed: false, others: [] };
      const group = `bundle:${orgId}:${JSON.stringify(found[0].to)}:${JSON.stringify(found[0].cc)}`;
      await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [group]);
      const repo = new OutboxRepository(tx);
      if (!(await repo.claim(id, now))) return { claimed: false, others: [] };
      const row = await repo.find(id);
      if (!row?.case) return { claimed: true, others: [] };
      const others = await tx.execute<{ id: string }[]>(
        `update outbox_mail set status = 'sending', claimed_at = ?, attempts = attempts + 1, updated_at = ?
         where id in (
           select id from outbox_mail
           where organisation_id = ? and kind = 'chaser' and status = 'pending' and not_before <= ?
             and id <> ? and case_id <> ? and "to" = ?::jsonb and cc = ?::jsonb and raw is not null and resend_of is null
           order by created_at, id limit ? for update skip locked)
         returning id`,
        [now, now, orgId, now, row.id, row.case, JSON.stringify(row.to), JSON.stringify(row.cc), max - 1],
      );
      if (others.length === 0) return { claimed: true, others: [] };
      const rows = await tx.find(OutboxMail, { id: { $in: others.map((c) => c.id) } }, { refresh: true, orderBy: { createdAt: 'asc', id: 'asc' } });
      return { claimed: true, others: rows };
    });
  }

  /** sending → pending until `at`, the claim's attempt given back: waiting is not a failure. */
  async putBack(id: string, at: Date, now: Date): Promise<void> {
    await this.em.execute(
      `update outbox_mail set status = 'pending', attempts = attempts - 1, not_before = ?, claimed_at = null, updated_at = ? where id = ? and status = 'sending'`,
      [at, now, id],
    );
  }

  /** Rows claimed with another for a combined mail that did not go: back to pending, for their own jobs. */
  async release(ids: string[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.em.execute(
      `update outbox_mail set status = 'pending', attempts = attempts - 1, claimed_at = null, updated_at = ?
       where id::text in (select jsonb_array_elements_text(?::jsonb)) and status = 'sending'`,
      [now, JSON.stringify(ids)],
    );
  }

  /** A temporary failure: back to pending until `at`, the attempt counted, the server's answer kept. */
  async retryLater(id: string, at: Date, error: string, now: Date): Promise<void> {
    await this.em.nativeUpdate(OutboxMail, { id }, { status: 'pending' as const, notBefore: at, lastError: cut(error), updatedAt: now });
  }

  /** Given up on: a permanent refusal, attempts used up, or a row that cannot be sent. */
  async markFailed(id: string, error: string, response: string | null, now: Date): Promise<void> {
    await this.em.nativeUpdate(
      OutboxMail,
      { id },
      { status: 'failed', lastError: cut(error), smtpResponse: response === null ? null : cut(response), updatedAt: now },
    );
  }

  /**
   * The server accepted it. With a follow-up for recipients it refused for now, both are written in
   * one transaction, with the events that go with it: an acceptance recorded without its
   * follow-up would leave those recipients never sent and never told of.
   */
  async markSent(id: string, response: string, now: Date, followUp?: FollowUp): Promise<void> {
    const update = { status: 'sent' as const, sentAt: now, smtpResponse: cut(response), lastError: null, updatedAt: now };
    if (!followUp) {
      await this.em.nativeUpdate(OutboxMail, { id }, update);
      return;
    }
    await this.em.transactional(async (tx) => {
      await tx.nativeUpdate(OutboxMail, { id }, update);
      await new OutboxRepository(tx).writeFollowUp(id, followUp, now);
    });
  }

  /**
   * A combined mail the server accepted: its own row is written (sent), each case's chaser row is
   * marked sent by it, and its follow-up for recipients refused for now, all in one transaction.
   */
  async markBundleSent(bundle: NewOutboxRow, memberIds: string[], response: string, now: Date, followUp?: FollowUp): Promise<void> {
    await this.em.transactional(async (tx) => {
      tx.create(OutboxMail, { ...bundle, status: 'sent', smtpResponse: cut(response), claimedAt: now, sentAt: now } as OutboxRow);
      await tx.flush();
      await tx.execute(
        `update outbox_mail set status = 'sent', sent_at = ?, smtp_response = ?, last_error = null, updated_at = ?
         where id::text in (select jsonb_array_elements_text(?::jsonb))`,
        [now, bundleMark(bundle.messageId), now, JSON.stringify(memberIds)],
      );
      if (followUp) await new OutboxRepository(tx).writeFollowUp(bundle.id, followUp, now);
    });
  }

  private async writeFollowUp(parentId: string, followUp: FollowUp, now: Date): Promise<void> {
    await this.insertResend(parentId, followUp.resend, now);
    const cases = new CaseRepository(this.em);
    for (const e of followUp.events) cases.addEvents(e.caseId, e.events, `outbox:${parentId}`);
    await this.em.flush();
  }

  /** Copies the parent row (bytes included, in the database) as a pending follow-up; a second call for the same parent writes nothing. */
  private async insertResend(parentId: string, resend: ResendRow, now: Date): Promise<void> {
    await this.em.execute(
      `insert into outbox_mail (id, organisation_id, case_id, kind, dedupe_key, message_id, step, envelope_from, envelope_to, "to", cc, subject, raw, sha256,
                                status, not_before, waits_for_window, resend_of, attempts, created_at, updated_at)
       select ?, organisation_id, case_id, kind, ?, message_id, step, envelope_from, ?::jsonb, ?::jsonb, ?::jsonb, subject, raw, sha256,
              'pending', ?, waits_for_window, id, ?, ?, ?
         from outbox_mail where id = ?
       on conflict (dedupe_key) do nothing`,
      [
        resend.id,
        resend.dedupeKey,
        JSON.stringify(resend.envelopeTo),
        JSON.stringify(resend.to),
        JSON.stringify(resend.cc),
        resend.notBefore,
        resend.attempts,
        now,
        now,
        parentId,
      ],
    );
  }

  /** The chaser rows a combined mail went for (each marked "sent in the combined mail <id>"), oldest first. */
  async bundleMembers(bundleMessageId: string): Promise<{ caseId: string; kind: OutboxKind; step: number | null }[]> {
    const rows = await this.em.execute<{ case_id: string; kind: string; step: number | null }[]>(
      `select case_id, kind, step from outbox_mail where smtp_response = ? and case_id is not null order by created_at, id`,
      [bundleMark(bundleMessageId)],
    );
    return rows.map((r) => ({ caseId: r.case_id, kind: outboxKindSchema.parse(r.kind), step: r.step }));
  }

  /** The case and envelope of this organisation's mails with these Message-IDs that went (or are going): what a delivery report may be about. */
  async sentWithMessageIds(orgId: string, messageIds: string[]): Promise<{ caseId: string; envelopeTo: string[] }[]> {
    const rows = await this.em.execute<{ case_id: string; envelope_to: string[] | string }[]>(
      `select case_id, envelope_to from outbox_mail
        where organisation_id = ? and case_id is not null and status in ('sent', 'sending')
          and message_id in (select jsonb_array_elements_text(?::jsonb))`,
      [orgId, JSON.stringify(messageIds)],
    );
    return rows.map((r) => ({ caseId: r.case_id, envelopeTo: typeof r.envelope_to === 'string' ? (JSON.parse(r.envelope_to) as string[]) : r.envelope_to }));
  }

  /**
   * The kinds of our mails about no one case (the weekly digest, the summaries) with these
   * Message-IDs, sent or being sent: what a reply that names no case is answering.
   */
  async orgMailKinds(orgId: string, messageIds: string[]): Promise<string[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.em.execute<{ kind: string }[]>(
      `select distinct kind from outbox_mail
        where organisation_id = ? and case_id is null and status in ('sent', 'sending')
          and message_id in (select jsonb_array_elements_text(?::jsonb))
        order by kind`,
      [orgId, JSON.stringify(messageIds)],
    );
    return rows.map((r) => r.kind);
  }

  /** How many other rows with this Message-ID the server accepted (the submissions a follow-up follows). */
  async acceptedCopies(messageId: string, exceptId: string): Promise<number> {
    const rows = await this.em.execute<{ n: string }[]>(`select count(*) as n from outbox_mail where message_id = ? and status = 'sent' and id <> ?`, [
      messageId,
      exceptId,
    ]);
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * Rows a worker claimed before `claimedBefore` and never finished (it died mid-send): back to
   * pending, marked abandoned, so the next attempt first asks the server's Sent folder whether it went.
   */
  async takeBackAbandoned(claimedBefore: Date, now: Date): Promise<string[]> {
    const rows = await this.em.execute<{ id: string }[]>(
      `update outbox_mail set status = 'pending', abandoned_at = coalesce(abandoned_at, ?), updated_at = ? where status = 'sending' and claimed_at < ? returning id`,
      [now, now, claimedBefore],
    );
    return rows.map((r) => r.id);
  }

  /** Pending rows in id order, after `afterId`: what the reconciler gives a send job. */
  pagePending(afterId: string | null, limit: number): Promise<{ id: string; attempts: number; not_before: Date }[]> {
    return this.em.execute(
      `select id, attempts, not_before from outbox_mail where status = 'pending' ${afterId === null ? '' : 'and id > ?'} order by id limit ?`,
      afterId === null ? [limit] : [afterId, limit],
    );
  }

  /** When the oldest pending mail that may go by `now` could have gone (null: none waiting). */
  async oldestDue(now: Date): Promise<Date | null> {
    const rows = await this.em.execute<{ at: Date | null }[]>(`select min(not_before) as at from outbox_mail where status = 'pending' and not_before <= ?`, [
      now,
    ]);
    return rows[0]?.at ? new Date(rows[0].at) : null;
  }

  /** Which of these dedupe keys have a row already. */
  async existingKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows = await this.em.execute<{ dedupe_key: string }[]>(
      `select dedupe_key from outbox_mail where dedupe_key in (select jsonb_array_elements_text(?::jsonb))`,
      [JSON.stringify(keys)],
    );
    return new Set(rows.map((r) => r.dedupe_key));
  }

  /**
   * When the ladder (mail no inbound message caused) wrote to each of these addresses on this case
   * since `since` (rows in any state but cancelled or an unreleased draft; a follow-up is the same
   * mail, already counted; fold summaries are not the ladder's). Lower-cased addresses.
   */
  async recentMailTo(caseId: string, recipients: string[], since: Date): Promise<Map<string, Date[]>> {
    const wanted = recipients.map((r) => r.toLowerCase());
    const rows = await this.em.execute<{ addr: string; created_at: Date }[]>(
      `select lower(addr) as addr, o.created_at
         from outbox_mail o, jsonb_array_elements_text(o."to" || o.cc) addr
        where o.case_id = ? and o.cause_sender is null and o.kind <> 'fold-summary'
          and o.status not in ('cancelled', 'held') and o.resend_of is null and o.created_at > ?
          and lower(addr) in (select jsonb_array_elements_text(?::jsonb))`,
      [caseId, since, JSON.stringify(wanted)],
    );
    const out = new Map<string, Date[]>();
    for (const r of rows) out.set(r.addr, [...(out.get(r.addr) ?? []), new Date(r.created_at)]);
    return out;
  }

  /** When this case wrote, since `since`, mails caused by each of these senders' messages. */
  async recentMailCausedBy(caseId: string, senders: string[], since: Date): Promise<Map<string, Date[]>> {
    const out = new Map<string, Date[]>();
    if (senders.length === 0) return out;
    const rows = await this.em.execute<{ sender: string; created_at: Date }[]>(
      `select cause_sender as sender, created_at from outbox_mail
        where case_id = ? and cause_sender in (select jsonb_array_elements_text(?::jsonb)) and kind <> 'fold-summary'
          and status not in ('cancelled', 'held') and resend_of is null and created_at > ?`,
      [caseId, JSON.stringify(senders), since],
    );
    for (const r of rows) out.set(r.sender, [...(out.get(r.sender) ?? []), new Date(r.created_at)]);
    return out;
  }

  /**
   * The organisation's notices about strangers since `since`, counted after taking a lock per
   * organisation (held to the end of the transaction), so concurrent ingests of two strangers'
   * messages about two cases cannot both slip under the limit.
   */
  async recentStrangerNotices(orgId: string, since: Date): Promise<Date[]> {
    await this.em.execute(`select pg_advisory_xact_lock(hashtext(?))`, [`stranger-notices:${orgId}`]);
    const rows = await this.em.execute<{ created_at: Date }[]>(
      `select created_at from outbox_mail where organisation_id = ? and cause_kind = 'stranger' and kind <> 'stranger-summary' and created_at > ?`,
      [orgId, since],
    );
    return rows.map((r) => new Date(r.created_at));
  }

  /** The pending summary this sender's folded notices on this case join, locked (a send job cannot claim it meanwhile). */
  async lockPendingFoldSummary(caseId: string, sender: string): Promise<{ id: string; dedupeKey: string } | undefined> {
    const rows = await this.em.execute<{ id: string; dedupe_key: string }[]>(
      `select id, dedupe_key from outbox_mail where case_id = ? and kind = 'fold-summary' and cause_sender = ? and status = 'pending' order by created_at desc limit 1 for update`,
      [caseId, sender],
    );
    return rows[0] ? { id: rows[0].id, dedupeKey: rows[0].dedupe_key } : undefined;
  }

  /**
   * The pending summary of step notices to this staff address (hourly notices), share-locked: any
   * number of transactions may add to it at once, and a send job cannot claim it until they commit.
   */
  async sharePendingNoticeSummary(orgId: string, recipient: string): Promise<{ id: string; dedupeKey: string } | undefined> {
    const rows = await this.em.execute<{ id: string; dedupe_key: string }[]>(
      `select id, dedupe_key from outbox_mail where organisation_id = ? and kind = 'notice-summary' and cause_sender = ? and status = 'pending' order by created_at desc limit 1 for share`,
      [orgId, recipient],
    );
    return rows[0] ? { id: rows[0].id, dedupeKey: rows[0].dedupe_key } : undefined;
  }

  /** A claimed summary composed, as it goes, from everything folded into it (same row, same Message-ID). */
  async composeClaimed(id: string, raw: Buffer, subject: string, now: Date): Promise<boolean> {
    const rows = await this.em.execute<{ id: string }[]>(
      `update outbox_mail set raw = ?, subject = ?, updated_at = ? where id = ? and status = 'sending' returning id`,
      [raw, subject, now, id],
    );
    return rows.length > 0;
  }

  /** The organisation's pending summary of notices about strangers, locked. */
  async lockPendingStrangerSummary(orgId: string): Promise<{ id: string; dedupeKey: string } | undefined> {
    const rows = await this.em.execute<{ id: string; dedupe_key: string }[]>(
      `select id, dedupe_key from outbox_mail where organisation_id = ? and kind = 'stranger-summary' and status = 'pending' order by created_at desc limit 1 for update`,
      [orgId],
    );
    return rows[0] ? { id: rows[0].id, dedupeKey: rows[0].dedupe_key } : undefined;
  }

  /** A pending summary composed again in place (same row, same Message-ID); false when it is no longer pending. */
  async recompose(id: string, raw: Buffer, subject: string, now: Date): Promise<boolean> {
    const rows = await this.em.execute<{ id: string }[]>(
      `update outbox_mail set raw = ?, subject = ?, updated_at = ? where id = ? and status = 'pending' returning id`,
      [raw, subject, now, id],
    );
    return rows.length > 0;
  }

  /** An approved draft: held → pending from `notBefore`. Returns the rows released. */
  releaseHeld(caseId: string, step: number, notBefore: Date, now: Date): Promise<{ id: string; attempts: number }[]> {
    return this.em.execute(
      `update outbox_mail set status = 'pending', not_before = ?, updated_at = ?
       where case_id = ? and step = ? and kind = 'chaser' and status = 'held' returning id, attempts`,
      [notBefore, now, caseId, step],
    );
  }

  /** A draft skipped or superseded: held → cancelled. */
  async cancelHeld(caseId: string, step: number, now: Date): Promise<void> {
    await this.em.execute(`update outbox_mail set status = 'cancelled', updated_at = ? where case_id = ? and step = ? and status = 'held'`, [
      now,
      caseId,
      step,
    ]);
  }

  /** A case that closed: its drafts, and its pending mail of these kinds, are withdrawn (→ cancelled). */
  async withdraw(caseId: string, kinds: readonly string[], now: Date): Promise<void> {
    await this.em.execute(
      `update outbox_mail set status = 'cancelled', updated_at = ?
       where case_id = ? and (status = 'held' or (status = 'pending' and kind in (select jsonb_array_elements_text(?::jsonb))))`,
      [now, caseId, JSON.stringify(kinds)],
    );
  }
}

/** What a chaser row sent as part of a combined mail says in its server response column. */
export function bundleMark(bundleMessageId: string): string {
  return `sent in the combined mail ${bundleMessageId}`;
}
