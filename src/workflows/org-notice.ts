import type { Contact } from '../domain/case/case-state.js';
import type { Repositories } from '../db/repositories/index.js';
import { newId } from '../lib/ids.js';
import { composeMail } from '../outbound/compose/compose-mail.js';
import { messageIdFor } from '../outbound/compose/threading.js';
import type { OrgRuntime } from '../runtime/organisations.js';

/** A mail about no one case: the folded notices about strangers, a refused request. */
export interface OrgNotice {
  kind: 'stranger-summary' | 'request-refused' | 'not-read' | 'notice-summary' | 'commands-answer';
  /** Unique: a replayed decision finds the row and writes nothing. */
  dedupeKey: string;
  to: Contact[];
  /** What the kind's templates (`mails/<kind>/`) read; `org` is added. */
  model: Record<string, unknown>;
  now: Date;
  notBefore: Date;
  causeSender?: string;
  causeKind?: string;
  /** The mail this one answers: it threads under it (In-Reply-To, References) in the reader's client. */
  inReplyTo?: string;
  references?: string[];
  /** A pending row of this kind to compose again in place (same Message-ID) instead of writing a new one. */
  replace?: string;
}

/**
 * Renders, composes and stores an organisation-level notice in the caller's transaction. Returns the
 * row to hand to the send-mail job after commit, or nothing when the row existed already (or was
 * composed again in place, keeping its job).
 */
export async function writeOrgNotice(tx: Repositories, org: OrgRuntime, deps: { secret: string }, n: OrgNotice): Promise<{ id: string; at: Date } | undefined> {
  const { rendered, composed, messageId } = await composeOrgNotice(org, deps, n);
  if (n.replace && (await tx.outbox.recompose(n.replace, composed.raw, rendered.subject, n.now))) return undefined;
  if (await tx.outbox.findByDedupeKey(n.dedupeKey)) return undefined;
  const row = tx.outbox.add({
    id: newId(),
    organisationId: org.id,
    case: null,
    kind: n.kind,
    dedupeKey: n.dedupeKey,
    messageId,
    step: null,
    envelopeFrom: composed.envelope.from,
    envelopeTo: composed.envelope.to,
    to: n.to.map((c) => c.email),
    cc: [],
    subject: rendered.subject,
    raw: composed.raw,
    status: 'pending',
    notBefore: n.notBefore > n.now ? n.notBefore : n.now,
    waitsForWindow: false,
    causeSender: n.causeSender ?? null,
    causeKind: n.causeKind ?? null,
    attempts: 0,
    createdAt: n.now,
    updatedAt: n.now,
  });
  await tx.flush();
  return { id: row.id, at: row.notBefore };
}

/** Renders and composes an organisation-level notice (its Message-ID follows from its dedupe key). */
export async function composeOrgNotice(
  org: OrgRuntime,
  deps: { secret: string },
  n: Pick<OrgNotice, 'kind' | 'dedupeKey' | 'to' | 'model' | 'now' | 'inReplyTo' | 'references'>,
) {
  const model = { ...n.model, org: { name: org.name, mailbox: org.mailbox } };
  const name = `mails/${n.kind}`;
  const rendered = {
    subject: org.templates.render(name, 'subject', model).replace(/\s+/g, ' ').trim(),
    text: `${org.templates
      .render(name, 'text', model)
      .replace(/[ \t]+\n/g, '\n')
      .replace(/\n{3,}/g, '\n\n')
      .trim()}\n`,
    html: org.templates.render(name, 'html', model),
  };
  const messageId = messageIdFor(deps.secret, n.dedupeKey, `org-${org.id}`, n.kind, org.mailbox);
  const composed = await composeMail({
    from: { email: org.mailbox, name: org.config.mailbox.name ?? `${org.name} escalations` },
    to: n.to,
    cc: [],
    messageId,
    date: n.now,
    ...(n.inReplyTo ? { inReplyTo: n.inReplyTo } : {}),
    ...(n.references?.length ? { references: n.references } : {}),
    rendered,
  });
  return { rendered, composed, messageId };
}
