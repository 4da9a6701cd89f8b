import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';
import type { OrgRuntime } from '../runtime/organisations.js';
import type { OutboxRow } from '../db/entities/types.js';
import type { CaseRepository, NewOutboxRow } from '../db/repositories/index.js';
import { newId } from '../lib/ids.js';
import { composeMail, type ComposedMail } from '../outbound/compose/compose-mail.js';
import { messageIdFor } from '../outbound/compose/threading.js';
import { must } from '../lib/must.js';
import { partnerRecipient, type PartnerRecipient } from '../domain/case/partner-recipient.js';

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
 * What the chaser-bundle template is given: every case's own chaser, the references for the
 * subject, and the partner agency's role the recipient holds in every one of them (the designated
 * nurse at an NHS trust), else null: the combined mail then greets them as the chasers do, and
 * only when all of them agree (a council's case, or one to the Ofsted inspector, names no agency).
 */
export function chaserBundleModel<I extends { ref: string; subject: string; text: string; recipient?: PartnerRecipient | undefined }>(
  org: { name: string; mailbox: string },
  items: I[],
) {
  const refs = items.map((i) => `[${i.ref}]`);
  const shown = refs.length > 4 ? `${refs.slice(0, 4).join(' ')} and ${refs.length - 4} more` : refs.join(' ');
  const first = items[0]?.recipient;
  const shared = first && items.every((i) => i.recipient?.title === first.title && i.recipient.agency === first.agency);
  return { org, count: items.length, items, refsText: shown, recipient: shared ? first : null };
}

/**
 * With `bundleChasers` on, chasers to exactly the same people (To and Cc) that are due together
 * go as one mail listing every case, so a social worker with several children's cases outstanding
 * gets one letter, not five. Each case keeps its own chaser row, marked sent as part of the
 * bundle, and the combined mail is stored too. Only identical recipient lists are combined: one
 * case's team manager never sees another case (OutboxRepository.claimGroup claims them).
 */
export async function composeBundle(cases: CaseRepository, org: OrgRuntime, secret: string, rows: OutboxRow[], now: Date): Promise<Bundle> {
  // a chaser row always has its case and its stored mail (composeChaser writes both)
  const found = await cases.findByIds(rows.map((r) => must(r.case, "the chaser row's case")));
  const byId = new Map(found.map((c) => [c.id, c]));
  const items = [];
  for (const r of rows) {
    const c = must(byId.get(must(r.case, "the chaser row's case")), "the chaser row's case row");
    const parsed = await simpleParser(Buffer.from(must(r.raw, "the chaser row's mail")));
    const recipient = r.step == null ? undefined : partnerRecipient(c.state, org.caseContext(c.ladderId, now), r.step);
    items.push({ ref: c.ref, subject: r.subject, text: (parsed.text ?? '').trim(), request: c.state.requestMessageId, recipient });
  }
  const context = chaserBundleModel({ name: org.name, mailbox: org.mailbox }, items);
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
  const first = must(rows[0], 'a row to bundle');
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

/** The combined mail's own outbox row, written (sent) when the server accepts it. */
export function bundleRow(org: OrgRuntime, bundle: Bundle, now: Date): NewOutboxRow {
  return {
    id: bundle.rowId,
    organisationId: org.id,
    case: null,
    kind: 'chaser-bundle',
    dedupeKey: `bundle:${bundle.composed.messageId}`,
    messageId: bundle.composed.messageId,
    step: null,
    envelopeFrom: bundle.composed.envelope.from,
    envelopeTo: bundle.composed.envelope.to,
    to: must(bundle.rows[0], 'a bundled row').to,
    cc: must(bundle.rows[0], 'a bundled row').cc,
    subject: bundle.subject,
    raw: bundle.composed.raw,
    status: 'sent',
    notBefore: now,
    waitsForWindow: true,
    attempts: 1,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  };
}
