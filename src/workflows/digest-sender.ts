import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Deps } from '../runtime/deps.js';
import type { OrgRuntime } from '../runtime/organisations.js';
import { Repositories } from '../db/repositories/index.js';
import { newId } from '../lib/ids.js';
import { composeMail } from '../outbound/compose/compose-mail.js';
import { messageIdFor } from '../outbound/compose/threading.js';
import type { CaseFacts } from '../reports/case-facts.js';
import { toCsvBuffer } from '../reports/csv.js';
import { buildDigest, type DigestModel } from '../reports/digest.js';
import { renderDigestMail } from '../reports/render.js';
import { spreadsheetRows, spreadsheetTable } from '../reports/spreadsheet.js';
import { isoWeekOf } from '../reports/week.js';
import { loadCaseFacts } from './report-queries.js';

export type DigestDeps = Pick<Deps, 'orm' | 'orgs' | 'scheduler' | 'clock' | 'logger' | 'secret'>;

export interface DigestResult {
  orgId: string;
  /** ISO week, `2026-W49`. */
  week: string;
  /** `queued`: written now and handed to the send-mail job. `already-sent`: this week's digest exists. */
  status: 'queued' | 'already-sent';
  outboxId: string;
  counts?: DigestModel['counts'];
}

/** One digest per organisation and ISO week: the outbox refuses a second row with this key. */
export function digestDedupeKey(orgId: string, week: string): string {
  return `digest:${orgId}:${week}`;
}

export function digestMessageId(secret: string, orgId: string, week: string, mailbox: string): string {
  return messageIdFor(secret, digestDedupeKey(orgId, week), `digest-${orgId}`, week.toLowerCase(), mailbox);
}

export function digestAttachmentName(orgId: string, week: string): string {
  return `escalations-${orgId}-${week}.csv`;
}

/** The digest's content for one organisation at `now`: the mail's model and the spreadsheet's bytes. */
export function digestContent(org: OrgRuntime, facts: CaseFacts[], now: Date, unreadable: string[] = []): { model: DigestModel; csv: Buffer } {
  const model = buildDigest(facts, {
    now,
    calendar: org.calendar,
    org: { id: org.id, name: org.name, mailbox: org.mailbox, manager: org.manager },
    unreadable,
  });
  const rows = spreadsheetRows(facts, () => org.calendar, now);
  return { model, csv: toCsvBuffer(spreadsheetTable(rows)) };
}

/**
 * Writes this week's digest for one organisation to the outbox (an organisation-level row: no
 * case) and hands it to the send-mail job after commit. Only the send-mail job talks SMTP.
 * Running it twice in one ISO week sends once: the second run finds the week's row. `weekOf` names
 * the week (the scheduled slot a retried job stands for); the content is always as of now.
 */
export async function sendWeeklyDigest(deps: DigestDeps, orgId: string, options: { weekOf?: Date } = {}): Promise<DigestResult> {
  const org = deps.orgs.get(orgId);
  const now = deps.clock.now();
  const week = isoWeekOf(options.weekOf ?? now, org.calendar.timezone).key;
  const dedupeKey = digestDedupeKey(org.id, week);
  const db = Repositories.open(deps.orm);
  const existing = await db.outbox.findByDedupeKey(dedupeKey);
  if (existing) return { orgId: org.id, week, status: 'already-sent', outboxId: existing.id };

  const { facts, unreadable } = await loadCaseFacts(db.em, deps.orgs, { org: org.id }, now, deps.logger);
  const { model, csv } = digestContent(
    org,
    facts,
    now,
    unreadable.map((c) => c.ref),
  );
  const rendered = renderDigestMail(org.templates, model);
  const messageId = digestMessageId(deps.secret, org.id, week, org.mailbox);
  const composed = await composeMail({
    from: { email: org.mailbox, name: org.config.mailbox.name ?? `${org.name} escalations` },
    to: [org.manager],
    cc: [],
    messageId,
    date: now,
    rendered,
    attachments: [{ filename: digestAttachmentName(org.id, week), content: csv, contentType: 'text/csv; charset=utf-8' }],
  });

  let written: { id: string; created: boolean };
  try {
    written = await db.transaction(async (tx) => {
      const found = await tx.outbox.findByDedupeKey(dedupeKey);
      if (found) return { id: found.id, created: false };
      const row = tx.outbox.add({
        id: newId(),
        organisationId: org.id,
        case: null,
        kind: 'weekly-digest',
        dedupeKey,
        messageId,
        step: null,
        envelopeFrom: composed.envelope.from,
        envelopeTo: composed.envelope.to,
        to: [org.manager.email],
        cc: [],
        subject: rendered.subject,
        raw: composed.raw,
        status: 'pending',
        notBefore: now,
        attempts: 0,
        lastError: null,
        smtpResponse: null,
        claimedAt: null,
        sentAt: null,
        createdAt: now,
        updatedAt: now,
      });
      await tx.flush();
      return { id: row.id, created: true };
    });
  } catch (error) {
    // Another worker (or `escalator digest --now`) wrote this week's digest between our look and our write.
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    const found = await Repositories.open(deps.orm).outbox.findByDedupeKey(dedupeKey);
    if (!found) throw error;
    written = { id: found.id, created: false };
  }
  if (!written.created) return { orgId: org.id, week, status: 'already-sent', outboxId: written.id };
  await deps.scheduler.send(written.id, 0, now);
  deps.logger.info({ org: org.id, week, outbox: written.id, open: model.counts.open, needsAction: model.counts.needsAction }, 'weekly digest written');
  return { orgId: org.id, week, status: 'queued', outboxId: written.id, counts: model.counts };
}
