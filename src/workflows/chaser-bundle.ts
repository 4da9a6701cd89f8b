import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { simpleParser } from 'mailparser';
import type { OrgRuntime } from '../runtime/organisations.js';
import { Case, OutboxMail } from '../db/entities/index.js';
import type { OutboxRow } from '../db/entities/types.js';
import { newId } from '../lib/ids.js';
import { composeMail, type ComposedMail } from '../outbound/compose/compose-mail.js';
import { messageIdFor } from '../outbound/compose/threading.js';
import type { OutboxKind } from '../domain/case/mail-intents.js';
import { insertResend, type Resend } from './outbox-resend.js';

/** How long a chaser waits (when bundling is on) for others to the same people due at the same moment. */
export const BUNDLE_GATHER_MS = 2 * 60_000;
/** At most this many cases in one combined mail. */
export const MAX_BUNDLE = 20;

export interface Bundle {
  /** The id the combined mail's own outbox row gets when it is recorded. */
  rowId: string;
  rows: OutboxRow[];
  composed: ComposedMail;
  subject: string;
}

/**
 * With `bundleChasers` on, chasers to exactly the same people (To and Cc) that are due together
 * go as one mail listing every case, so a social worker with several children's cases outstanding
 * gets one letter, not five. Each case keeps its own chaser row, marked sent as part of the
 * bundle, and the combined mail is stored too. Only identical recipient lists are combined: one
 * case's team manager never sees another case.
 */
export async function claimBundle(em: EntityManager, org: OrgRuntime, row: OutboxRow, now: Date): Promise<OutboxRow[]> {
  if (!org.config.bundleChasers || row.kind !== 'chaser' || !row.case) return [];
  const claimed = await em.execute<Array<{ id: string }>>(
    `update outbox_mail set status = 'sending', claimed_at = ?, attempts = attempts + 1, updated_at = ?
     where id in (
       select id from outbox_mail
       where organisation_id = ? and kind = 'chaser' and status = 'pending' and not_before <= ?
         and id <> ? and case_id <> ? and "to" = ?::jsonb and cc = ?::jsonb and raw is not null and resend_of is null
       order by created_at, id limit ? for update skip locked)
     returning id`,
    [now, now, org.id, now, row.id, row.case, JSON.stringify(row.to), JSON.stringify(row.cc), MAX_BUNDLE - 1],
  );
  if (claimed.length === 0) return [];
  return em.find(OutboxMail, { id: { $in: claimed.map((c) => c.id) } }, { refresh: true, orderBy: { createdAt: 'asc', id: 'asc' } });
}

/**
 * The send jobs of one recipient group take turns (a transaction-scoped advisory lock on the
 * group), so the first to run claims its own row and every other one due with it; the rest then
 * find their rows already taken. Without the lock two jobs would each send part of the group.
 */
export async function claimWithBundle(em: EntityManager, org: OrgRuntime, outboxId: string, now: Date): Promise<{ claimed: boolean; others: OutboxRow[] }> {
  return em.transactional(async (tx) => {
    const found = await tx.execute<Array<{ to: string[]; cc: string[] }>>(`select "to", cc from outbox_mail where id = ?`, [outboxId]);
    if (!found[0]) return { claimed: false, others: [] };
    const group = `bundle:${org.id}:${JSON.stringify(found[0].to)}:${JSON.stringify(found[0].cc)}`;
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [group]);
    const mine = await tx.execute<Array<{ id: string }>>(
      `update outbox_mail set status = 'sending', claimed_at = ?, attempts = attempts + 1, updated_at = ?
       where id = ? and status = 'pending' and not_before <= ? returning id`,
      [now, now, outboxId, now],
    );
    if (mine.length === 0) return { claimed: false, others: [] };
    const row = (await tx.findOne(OutboxMail, { id: outboxId }, { refresh: true }))!;
    return { claimed: true, others: await claimBundle(tx, org, row, now) };
  });
}

/** Gives claimed rows back (the combined send failed): their own jobs, or the reconciler, send them. */
export async function releaseBundle(em: EntityManager, rows: OutboxRow[], now: Date): Promise<void> {
  if (rows.length === 0) return;
  await em.execute(
    `update outbox_mail set status = 'pending', attempts = attempts - 1, claimed_at = null, updated_at = ?
     where id::text in (select jsonb_array_elements_text(?::jsonb)) and status = 'sending'`,
    [now, JSON.stringify(rows.map((r) => r.id))],
  );
}

export async function composeBundle(em: EntityManager, org: OrgRuntime, secret: string, rows: OutboxRow[], now: Date): Promise<Bundle> {
  const cases = await em.find(Case, { id: { $in: rows.map((r) => r.case!) } });
  const byId = new Map(cases.map((c) => [c.id, c]));
  const items = [];
  for (const r of rows) {
    const c = byId.get(r.case!)!;
    const parsed = await simpleParser(Buffer.from(r.raw!));
    items.push({ ref: c.ref, subject: r.subject, text: (parsed.text ?? '').trim(), request: c.state.requestMessageId });
  }
  const refs = items.map((i) => `[${i.ref}]`);
  const shown = refs.length > 4 ? `${refs.slice(0, 4).join(' ')} and ${refs.length - 4} more` : refs.join(' ');
  const context = { org: { name: org.name, mailbox: org.mailbox }, count: items.length, items, refsText: shown };
  const subject = org.templates.render('mails/chaser-bundle', 'subject', context).replace(/\s+/g, ' ').trim();
  const rendered = {
    subject,
    text: `${org.templates.render('mails/chaser-bundle', 'text', context).trim()}\n`,
    html: org.templates.render('mails/chaser-bundle', 'html', context),
  };
  const key = createHash('sha256')
    .update(
      rows
        .map((r) => r.id)
        .sort()
        .join(','),
    )
    .digest('hex')
    .slice(0, 16);
  const first = rows[0]!;
  const composed = await composeMail({
    from: { email: org.mailbox, name: org.config.mailbox.name ?? `${org.name} escalations` },
    to: first.to.map((email) => ({ email })),
    cc: first.cc.map((email) => ({ email })),
    replyTo: org.mailbox,
    messageId: messageIdFor(secret, key, 'bundle', `b${key}`, org.mailbox),
    date: now,
    references: items.map((i) => i.request).slice(0, 20),
    rendered,
  });
  return { rowId: newId(), rows, composed, subject };
}

/**
 * The combined mail was accepted: it is stored, and every case's chaser row is marked sent by it.
 * Recipients it was refused for with a 4xx get a follow-up of it, written in the same transaction.
 */
export async function recordBundle(
  em: EntityManager,
  org: OrgRuntime,
  bundle: Bundle,
  response: string,
  now: Date,
  follow?: { resend: Resend; cases: Array<{ caseId: string; kind: OutboxKind }> },
): Promise<void> {
  await em.transactional(async (tx) => {
    tx.create(OutboxMail, {
      id: bundle.rowId,
      organisationId: org.id,
      case: null,
      kind: 'chaser-bundle',
      dedupeKey: `bundle:${bundle.composed.messageId}`,
      messageId: bundle.composed.messageId,
      step: null,
      envelopeFrom: bundle.composed.envelope.from,
      envelopeTo: bundle.composed.envelope.to,
      to: bundle.rows[0]!.to,
      cc: bundle.rows[0]!.cc,
      subject: bundle.subject,
      raw: bundle.composed.raw,
      status: 'sent',
      notBefore: now,
      waitsForWindow: true,
      attempts: 1,
      lastError: null,
      smtpResponse: response.slice(0, 1000),
      claimedAt: now,
      sentAt: now,
      createdAt: now,
      updatedAt: now,
    } as OutboxRow);
    await tx.flush();
    await tx.execute(
      `update outbox_mail set status = 'sent', sent_at = ?, smtp_response = ?, last_error = null, updated_at = ?
       where id::text in (select jsonb_array_elements_text(?::jsonb))`,
      [now, `sent in the combined mail ${bundle.composed.messageId}`, now, JSON.stringify(bundle.rows.map((r) => r.id))],
    );
    if (follow) await insertResend(tx, bundle.rowId, follow.resend, now, follow.cases);
  });
}
