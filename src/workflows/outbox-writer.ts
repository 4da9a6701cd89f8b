import { simpleParser } from 'mailparser';
import type { OrgRuntime } from '../runtime/organisations.js';
import { ladderFor } from '../domain/case/advance.js';
import type { CaseContext } from '../domain/case/case-context.js';
import type { CaseState } from '../domain/case/case-state.js';
import type { Decision, DraftAction, MailIntent } from '../domain/case/decision.js';
import { rungOf } from '../domain/case/timetable.js';
import { baseSubject, stripSubjectPrefixes } from '../domain/inbound/subject-tags.js';
import { plusAddress } from '../domain/inbound/plus-address.js';
import type { Repositories } from '../db/repositories/index.js';
import type { OutboxRow } from '../db/entities/types.js';
import { newId } from '../lib/ids.js';
import { BUNDLE_GATHER_MS } from './chaser-bundle.js';
import { composeMail } from '../outbound/compose/compose-mail.js';
import { messageIdFor, referencesFor, threadIndexFor } from '../outbound/compose/threading.js';
import { buildMailContext, fillAbout, type AttachmentsView } from '../outbound/render/mail-context.js';
import { forwardAttachments, sizeText, type AttachmentSummary, type MailAttachment } from '../outbound/compose/forward-attachments.js';
import { renderMail, templateNameFor, type RenderedMail } from '../outbound/render/render-mail.js';
import type { Config } from '../config/config-schema.js';
import type { Metrics } from '../runtime/metrics.js';
import { LADDER_KINDS, loopVerdict, mustSee, overBudget, recentMailCausedBy, recentMailTo, recentStrangerNotices, STRANGER_WINDOW_MS } from './loop-guard.js';
import { foldStrangerNotice } from './stranger-notices.js';
import { foldStepNotice, foldsHourly } from './hourly-notices.js';
import { addressKey } from '../domain/address.js';
import { must } from '../lib/must.js';

export interface OutboxWork {
  /** Rows ready to send (new, or released by APPROVE), with the moment they may go. */
  sends: { id: string; attempt: number; at: Date }[];
}

export interface WriterDeps {
  secret: string;
  /** Counts mails the loop guard held back, when the service passes its metrics. */
  metrics?: Pick<Metrics, 'mailHeldByLoopGuard' | 'limitReached'>;
  limits?: Pick<Config['limits'], 'strangerNoticesPerHour'>;
}

/**
 * Turns a decision's mail intents into outbox rows: rendered, composed and stored once, in the
 * caller's transaction. A replayed decision finds its rows by dedupe key and writes nothing.
 */
export async function writeOutbox(
  tx: Repositories,
  org: OrgRuntime,
  state: CaseState,
  decision: Pick<Decision, 'mails' | 'drafts'>,
  ctx: CaseContext,
  deps: WriterDeps,
  opts: { newCase?: boolean } = {},
): Promise<OutboxWork> {
  const work: OutboxWork = { sends: [] };
  const rendered = new Map<string, { mail: RenderedMail; to: string; cc: string; from: string }>();
  // A case created in this very transaction has no mail yet: nothing to look up. Otherwise one
  // query finds which of the decision's mails an earlier run of it wrote already, and one more
  // what the case sent each recipient in the last hour (a query per mail cost ~1 ms each).
  const written = opts.newCase ? new Set<string>() : await tx.outbox.existingKeys(decision.mails.map((i) => `${state.id}:${i.key}`));
  const fresh = decision.mails.filter((i) => !i.held && !i.replacesDraft && !written.has(`${state.id}:${i.key}`));
  const recipientsOf = (intent: MailIntent) => [...intent.to, ...intent.cc].map((c) => addressKey(c.email));
  // Which budget a mail counts against: the ladder's own mails per recipient among themselves; a
  // mail an inbound message caused, against that message's sender on this case (or, for a notice
  // about a stranger quoting the reference, against the organisation's hourly allowance).
  const budgetOf = (i: MailIntent): 'ladder' | 'sender' | 'stranger' =>
    !i.cause || LADDER_KINDS.has(i.kind) ? 'ladder' : i.cause.stranger ? 'stranger' : 'sender';
  const ladderMail = fresh.filter((i) => budgetOf(i) === 'ladder');
  const history =
    opts.newCase || ladderMail.length === 0
      ? new Map<string, Date[]>()
      : await recentMailTo(tx.outbox, state.id, [...new Set(ladderMail.flatMap(recipientsOf))], ctx.now);
  const senders = [...new Set(fresh.filter((i) => budgetOf(i) === 'sender').map((i) => causeOf(i).sender))];
  const bySender = opts.newCase ? new Map<string, Date[]>() : await recentMailCausedBy(tx.outbox, state.id, senders, ctx.now);
  let strangerNotices: Date[] | undefined;
  for (const wanted of decision.mails) {
    let intent = wanted;
    if (intent.replacesDraft) {
      await replaceDraft(tx, org, state, intent, ctx, deps, rendered);
      continue;
    }
    // Written already: by this call, or by an earlier run of the same decision.
    if (rendered.has(intent.key) || written.has(`${state.id}:${intent.key}`)) continue;
    if (foldsHourly(org, state, intent)) {
      // `notices: hourly`: the step notice goes now only to those not written to in the last hour.
      const hourly = await foldStepNotice(tx, org, state, intent, ctx, deps);
      work.sends.push(...hourly.sends);
      if (!hourly.immediate) continue;
      intent = hourly.immediate;
    }
    let earliest: Date | undefined;
    const recipients = recipientsOf(intent);
    const budget = budgetOf(intent);
    if (!intent.held && budget === 'ladder') {
      // The ladder's own mail: too much to one person on one case in a short time waits.
      const verdict = loopVerdict(intent.kind, recipients, history, ctx.now);
      if (verdict.action === 'defer') {
        heldBack(tx, state.id, intent, ctx.now, { recipients: verdict.recipients, action: 'deferred', until: verdict.until.toISOString() }, LADDER_REASON);
        deps.metrics?.mailHeldByLoopGuard(intent.kind, 'deferred');
        earliest = verdict.until;
      }
    } else if (!intent.held && budget === 'sender') {
      const cause = causeOf(intent);
      const verdict = overBudget(bySender.get(cause.sender) ?? [], ctx.now);
      if (verdict.over) {
        if (mustSee(intent)) {
          work.sends.push(...(await foldIntoSummary(tx, org, state, intent, ctx, deps, rendered, verdict.until)));
          deps.metrics?.mailHeldByLoopGuard(intent.kind, 'folded');
        } else {
          // An acknowledgement or error reply to a sender who keeps writing: what a loop feeds on.
          heldBack(tx, state.id, intent, ctx.now, { recipients, action: 'dropped', sender: cause.sender }, SENDER_REASON);
          deps.metrics?.mailHeldByLoopGuard(intent.kind, 'dropped');
        }
        continue;
      }
    } else if (!intent.held && budget === 'stranger') {
      const allowed = deps.limits?.strangerNoticesPerHour ?? 1;
      strangerNotices ??= await recentStrangerNotices(tx.outbox, org.id, ctx.now);
      const verdict = overBudget(strangerNotices, ctx.now, [{ windowMs: STRANGER_WINDOW_MS, max: allowed }]);
      if (allowed === 0 || verdict.over) {
        const until = allowed === 0 ? ctx.now : verdict.until;
        work.sends.push(...(await foldStrangerNotice(tx, org, state, intent, ctx, deps, until)));
        deps.metrics?.limitReached('stranger-notices-per-hour');
        continue;
      }
    }
    const row = await composeIntent(tx, org, state, intent, ctx, deps, rendered, earliest);
    // This decision's own earlier mails count towards the limit for its later ones.
    if (row.status !== 'held') {
      if (budget === 'ladder') for (const r of recipients) history.set(r, [...(history.get(r) ?? []), row.createdAt]);
      if (budget === 'sender') bySender.set(causeOf(intent).sender, [...(bySender.get(causeOf(intent).sender) ?? []), row.createdAt]);
      if (budget === 'stranger') strangerNotices?.push(row.createdAt);
    }
    if (row.status === 'pending') work.sends.push({ id: row.id, attempt: 0, at: row.notBefore });
  }
  for (const action of decision.drafts) work.sends.push(...(await applyDraftAction(tx, org, state.id, action, ctx.now)));
  return work;
}

const LADDER_REASON = 'loop protection: more than 10 mails in 10 minutes or 25 in an hour to this recipient on this case';
const SENDER_REASON = 'loop protection: more than 10 mails in 10 minutes or 25 in an hour answering this sender on this case';

function heldBack(
  tx: Repositories,
  caseId: string,
  intent: MailIntent,
  now: Date,
  detail: { recipients: string[]; action: 'dropped' | 'deferred'; until?: string; sender?: string },
  reason: string,
): void {
  tx.cases.addEvents(
    caseId,
    [{ type: 'mail-held-back', actor: 'system', at: now.toISOString(), detail: { kind: intent.kind, key: intent.key, ...detail, reason } }],
    'loop-guard',
  );
}

/**
 * A notice the RM must see, over its sender's budget on this case: not sent on its own, but listed
 * in one summary mail ("12 more messages from x@y about ESC-…") that goes when the sender's budget
 * has room again. Every notice folded before the summary goes joins it; the summary is composed
 * again each time (same row, same Message-ID) while it is still pending.
 */
async function foldIntoSummary(
  tx: Repositories,
  org: OrgRuntime,
  state: CaseState,
  intent: MailIntent,
  ctx: CaseContext,
  deps: WriterDeps,
  rendered: Map<string, { mail: RenderedMail; to: string; cc: string; from: string }>,
  until: Date,
): Promise<OutboxWork['sends']> {
  const cause = causeOf(intent);
  await tx.flush();
  const pending = await tx.outbox.lockPendingFoldSummary(state.id, cause.sender);
  const summaryKey = pending?.dedupeKey ?? `${state.id}:fold-${intent.key}`;
  await tx.folded.add({
    orgId: org.id,
    caseId: state.id,
    summaryKey,
    sender: cause.sender,
    kind: intent.kind,
    messageKey: intent.key,
    safeguarding: !!cause.safeguarding,
    at: ctx.now,
  });
  const items = await tx.folded.ofSummary(summaryKey);
  tx.cases.addEvents(
    state.id,
    [
      {
        type: 'mail-folded',
        actor: 'system',
        at: ctx.now.toISOString(),
        detail: { kind: intent.kind, key: intent.key, sender: cause.sender, into: summaryKey, reason: SENDER_REASON.replace('loop protection: ', 'folded: ') },
      },
    ],
    'loop-guard',
  );
  const summary: MailIntent = {
    kind: 'fold-summary',
    key: summaryKey.slice(state.id.length + 1),
    to: intent.to,
    cc: intent.cc,
    timing: 'now',
    data: {
      sender: cause.sender,
      count: items.length,
      safeguarding: items.filter((i) => i.safeguarding).length,
      items: items.map((i) => ({ kind: i.kind, at: new Date(i.at).toISOString(), safeguarding: i.safeguarding })),
    },
  };
  if (pending) {
    const { mail, composed } = await composeRaw(tx, org, state, summary, ctx, deps, rendered);
    if (await tx.outbox.recompose(pending.id, composed.raw, mail.subject, ctx.now)) return [];
  }
  const row = await composeIntent(tx, org, state, summary, ctx, deps, rendered, until);
  row.causeSender = cause.sender;
  return row.status === 'pending' ? [{ id: row.id, attempt: 0, at: row.notBefore }] : [];
}

/**
 * An approved draft that leaves on a later day than it was drafted: composed again from the case as
 * it now stands (its deadline and dates counted from when it goes), in place of the held row, with
 * the same Message-ID. The release that follows in the same decision sends it. A replayed decision
 * finds the row released already and changes nothing.
 */
async function replaceDraft(
  tx: Repositories,
  org: OrgRuntime,
  state: CaseState,
  intent: MailIntent,
  ctx: CaseContext,
  deps: WriterDeps,
  rendered: Map<string, { mail: RenderedMail; to: string; cc: string; from: string }>,
): Promise<void> {
  const row = await tx.outbox.findByDedupeKey(`${state.id}:${intent.key}`);
  if (row?.status !== 'held') return;
  const { mail, composed } = await composeRaw(tx, org, state, intent, ctx, deps, rendered);
  row.envelopeFrom = composed.envelope.from;
  row.envelopeTo = composed.envelope.to;
  row.to = intent.to.map((c) => c.email);
  row.cc = intent.cc.map((c) => c.email);
  row.subject = mail.subject;
  row.raw = composed.raw;
  row.updatedAt = ctx.now;
}

async function composeRaw(
  tx: Repositories,
  org: OrgRuntime,
  state: CaseState,
  intent: MailIntent,
  ctx: CaseContext,
  deps: WriterDeps,
  rendered: Map<string, { mail: RenderedMail; to: string; cc: string; from: string }>,
) {
  const context = buildMailContext(state, intent, ctx, org.mailbox);
  if (intent.kind === 'approval-request' || intent.kind === 'approval-reminder') {
    const draftKey = intent.data.draftKey;
    const draft = rendered.get(draftKey) ?? (await loadDraft(tx, state.id, draftKey));
    context.data.draft = draft
      ? { from: draft.from, to: draft.to, cc: draft.cc, subject: draft.mail.subject, text: draft.mail.text }
      : { from: '', to: '', cc: '', subject: '(draft not found)', text: '' };
  }
  if (intent.kind === 'step-notice') {
    // The notice is the staff's copy of the chaser (they are not copied on it): it quotes it as sent,
    // composed in this decision, or the approved draft being released.
    const key = `s${intent.step}-chaser`;
    const sent = rendered.get(key) ?? (await loadDraft(tx, state.id, key));
    if (sent) context.data.chaser = { from: sent.from, to: sent.to, cc: sent.cc, subject: sent.mail.subject, text: sent.mail.text };
  }
  let rungTemplate: string | undefined;
  if (intent.kind === 'chaser') {
    const step = must(
      state.steps.find((s) => s.n === intent.step),
      `step ${intent.step}`,
    );
    rungTemplate = rungOf(ladderFor(state, ctx), step).template;
  }
  const forwarded = intent.forward ? await forwardedFor(tx, org, state, intent.forward, intent.kind) : undefined;
  if (forwarded) context.attachments = forwarded.view;
  // Someone new up the ladder: the request's own words (never the thread below them) and documents.
  if (context.about) {
    const newText = state.requestMessageRef ? await tx.messages.newTextOf(state.requestMessageRef) : null;
    context.about = fillAbout(context.about, state, ctx, newText, context.attachments);
  }
  const mail = renderMail(org.templates, templateNameFor(intent, rungTemplate), context);
  const messageId = messageIdFor(deps.secret, state.id, state.ref, intent.key, org.mailbox);
  const ours = state.steps
    .filter((s) => s.status === 'sent' && s.n < (intent.step ?? Number.MAX_SAFE_INTEGER))
    .map((s) => messageIdFor(deps.secret, state.id, state.ref, `s${s.n}-chaser`, org.mailbox));
  const fromContact = { email: org.mailbox, name: org.config.mailbox.name ?? `${org.name} escalations` };
  const composed = await composeMail({
    from: fromContact,
    to: intent.to,
    cc: intent.cc,
    replyTo: org.config.mailbox.plusAddressing ? plusAddress(org.mailbox, state.token) : org.mailbox,
    messageId,
    date: ctx.now,
    inReplyTo: state.requestMessageId,
    references: referencesFor(state.threadIds, ours),
    // The conversation's name in Outlook: the request's own words, without our tags.
    threadTopic: baseSubject(state.subject) || stripSubjectPrefixes(state.subject),
    threadIndex: threadIndexFor(state.threadIndex, state.id, new Date(state.openedAt), ctx.now, messageId),
    caseRef: state.ref,
    rendered: mail,
    ...(forwarded ? { attachments: forwarded.attach } : {}),
  });
  const list = (cs: typeof intent.to) => cs.map((c) => (c.name ? `${c.name} <${c.email}>` : c.email)).join(', ');
  rendered.set(intent.key, { mail, to: list(intent.to), cc: list(intent.cc), from: `${fromContact.name} <${fromContact.email}>` });
  return { mail, composed, messageId };
}

/**
 * The attachments of the stored message an intent forwards: attached within the budget, the rest
 * named with the command that fetches them. A message whose bytes are gone (purged, or kept as
 * headers only) forwards nothing.
 */
async function forwardedFor(
  tx: Repositories,
  org: OrgRuntime,
  state: CaseState,
  forward: NonNullable<MailIntent['forward']>,
  kind: MailIntent['kind'],
): Promise<{ attach: MailAttachment[]; view: AttachmentsView } | undefined> {
  const raw = await tx.messages.rawOf(forward.message);
  if (!raw) return undefined;
  // A chaser forwards the request's documents to someone new, within their own (smaller) budget.
  const budget = kind === 'chaser' || kind === 'out-of-hours' ? org.config.attachments.requestMaxBytes : org.config.attachments.forwardMaxBytes;
  const got = await forwardAttachments(Buffer.from(raw), forward.maxBytes ?? budget);
  const view = (a: AttachmentSummary) => ({ name: a.filename, size: sizeText(a.size) });
  const key = forward.message.replace(/-/g, '').slice(0, 16);
  return {
    attach: got.attach,
    view: {
      forwarded: got.forwarded.map(view),
      listed: got.listed.map(view),
      fetch: `escalator mail attachments ${state.ref} --message ${key} --out <directory>`,
    },
  };
}

async function composeIntent(
  tx: Repositories,
  org: OrgRuntime,
  state: CaseState,
  intent: MailIntent,
  ctx: CaseContext,
  deps: WriterDeps,
  rendered: Map<string, { mail: RenderedMail; to: string; cc: string; from: string }>,
  earliest?: Date,
): Promise<OutboxRow> {
  const { mail, composed, messageId } = await composeRaw(tx, org, state, intent, ctx, deps, rendered);
  const from = earliest && earliest > ctx.now ? earliest : ctx.now;
  // Which mail waits for the send window is the domain's call (the intent's timing); the row keeps
  // it, so every retry and deferral of the send waits for the window too (send-mail.job.ts).
  const waitsForWindow = intent.timing === 'window';
  let notBefore = waitsForWindow ? org.calendar.nextOpening(from) : from;
  // Chasers wait a moment so that others to the same people falling due together can go as one mail.
  if (intent.kind === 'chaser' && org.config.bundleChasers) notBefore = new Date(notBefore.getTime() + BUNDLE_GATHER_MS);
  const row = tx.outbox.add({
    id: newId(),
    organisationId: org.id,
    case: state.id,
    kind: intent.kind,
    dedupeKey: `${state.id}:${intent.key}`,
    messageId,
    step: intent.step ?? null,
    envelopeFrom: composed.envelope.from,
    envelopeTo: composed.envelope.to,
    to: intent.to.map((c) => c.email),
    cc: intent.cc.map((c) => c.email),
    subject: mail.subject,
    raw: composed.raw,
    status: intent.held ? 'held' : 'pending',
    notBefore,
    causeSender: intent.cause && !LADDER_KINDS.has(intent.kind) ? intent.cause.sender : null,
    causeKind: intent.cause?.stranger ? 'stranger' : null,
    waitsForWindow,
    attempts: 0,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  });
  return row;
}

async function loadDraft(tx: Repositories, caseId: string, key: string) {
  const row = await tx.outbox.findByDedupeKey(`${caseId}:${key}`);
  if (!row?.raw) return undefined;
  const parsed = await simpleParser(Buffer.from(row.raw));
  return {
    mail: { subject: row.subject, text: parsed.text ?? '', html: '' },
    to: row.to.join(', '),
    cc: row.cc.join(', '),
    from: parsed.from?.text ?? '',
  };
}

/** Kinds addressed to people outside the organisation: withdrawn when a case closes. */
const RECIPIENT_KINDS = ['chaser', 'kept-informed', 'confirm-request'];

async function applyDraftAction(tx: Repositories, org: OrgRuntime, caseId: string, action: DraftAction, now: Date): Promise<OutboxWork['sends']> {
  await tx.flush();
  if (action.kind === 'release') {
    const notBefore = org.calendar.nextOpening(now);
    const rows = await tx.outbox.releaseHeld(caseId, action.step, notBefore, now);
    return rows.map((r) => ({ id: r.id, attempt: r.attempts, at: notBefore }));
  }
  if (action.kind === 'cancel') {
    await tx.outbox.cancelHeld(caseId, action.step, now);
    return [];
  }
  await tx.outbox.withdraw(caseId, RECIPIENT_KINDS, now);
  return [];
}

/** The inbound message a mail answers: only such mail (one with a cause) is on a sender's budget. */
function causeOf(intent: MailIntent): NonNullable<MailIntent['cause']> {
  return must(intent.cause, "the cause of a mail on a sender's budget");
}
