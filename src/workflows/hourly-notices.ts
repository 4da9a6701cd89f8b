import type { CaseContext } from '../domain/case/case-context.js';
import type { CaseState, Contact } from '../domain/case/case-state.js';
import type { MailIntent } from '../domain/case/decision.js';
import { addressKey } from '../domain/address.js';
import type { Repositories } from '../db/repositories/index.js';
import type { OutboxRow } from '../db/entities/types.js';
import { buildMailContext } from '../outbound/render/mail-context.js';
import type { OrgRuntime } from '../runtime/organisations.js';
import { composeOrgNotice, writeOrgNotice } from './org-notice.js';
import { must } from '../lib/must.js';

/** At most one step notice (or summary of them) an hour to each staff address, with `notices: hourly`. */
export const NOTICE_GAP_MS = 60 * 60_000;

type StepNotice = Extract<MailIntent, { kind: 'step-notice' }>;

/** Whether this step notice may be folded: the organisation wants hourly notices and the case is not about safeguarding. */
export function foldsHourly(org: OrgRuntime, state: CaseState, intent: MailIntent): intent is StepNotice {
  if (intent.kind !== 'step-notice' || intent.held || org.config.notices !== 'hourly') return false;
  return state.variant === 'standard' && !state.flags.safeguarding;
}

/**
 * A step notice with `notices: hourly`: each staff address it is for gets it now if nothing of the
 * kind went to them in the last hour, else it joins that address's pending summary, which goes an
 * hour after the last such mail. Returns the notice narrowed to the addresses it goes to now (none:
 * null) and the summaries written, for their send jobs. The summary lists each step as it stood
 * when it was folded and is composed when it goes (see composeNoticeSummary), so a burst of steps
 * costs a row each, not a growing mail recomposed each time.
 */
export async function foldStepNotice(
  tx: Repositories,
  org: OrgRuntime,
  state: CaseState,
  intent: StepNotice,
  ctx: CaseContext,
  deps: { secret: string },
): Promise<{ immediate: StepNotice | null; sends: { id: string; attempt: number; at: Date }[] }> {
  const everyone = [...intent.to, ...intent.cc];
  const keys = [...new Set(everyone.map((c) => addressKey(c.email)))];
  // Unique within a summary, which lists many cases' notices of the same key (`s1-notice`).
  const messageKey = `${state.id}:${intent.key}`;
  const done = await tx.folded.foldedFor(state.id, messageKey, keys);
  const now = new Set<string>();
  const sends: { id: string; attempt: number; at: Date }[] = [];
  let detail: Record<string, unknown> | undefined;
  // One address at a time, in a fixed order (two transactions lock the same addresses alike).
  for (const key of keys.sort()) {
    if (done.has(key)) continue;
    // Most notices of a burst join a summary that exists: no lock but a share of its row. Only
    // deciding whether to send now or start a summary takes the address's own lock.
    let pending = await tx.outbox.sharePendingNoticeSummary(org.id, key);
    const nextFree = pending ? ctx.now : await tx.folded.lockNoticeSlot(org.id, key);
    pending ??= await tx.outbox.sharePendingNoticeSummary(org.id, key);
    if (!pending && nextFree <= ctx.now) {
      now.add(key);
      await tx.folded.setNoticeSlot(org.id, key, new Date(ctx.now.getTime() + NOTICE_GAP_MS));
      continue;
    }
    // key is one of everyone's address keys
    const contact = must(
      everyone.find((c) => addressKey(c.email) === key),
      'the contact',
    );
    detail ??= stepDetail(state, intent, ctx, org.mailbox);
    const summaryKey = pending?.dedupeKey ?? `notice-summary:${org.id}:${key}:${state.id}:${intent.key}`;
    await tx.folded.add({
      orgId: org.id,
      caseId: state.id,
      summaryKey,
      sender: key,
      kind: intent.kind,
      messageKey,
      safeguarding: false,
      at: ctx.now,
      detail: { ...detail, recipientName: contact.name ?? null },
    });
    tx.cases.addEvents(
      state.id,
      [
        {
          type: 'mail-folded',
          actor: 'system',
          at: ctx.now.toISOString(),
          detail: {
            kind: intent.kind,
            key: intent.key,
            sender: key,
            into: summaryKey,
            reason: 'folded: step notices go at most once an hour (notices: hourly)',
          },
        },
      ],
      'hourly-notices',
    );
    if (pending) continue;
    // A new summary goes when the hour since the last notice is up; the next one an hour after it.
    await tx.folded.setNoticeSlot(org.id, key, new Date(nextFree.getTime() + NOTICE_GAP_MS));
    const row = await writeOrgNotice(tx, org, deps, {
      kind: 'notice-summary',
      dedupeKey: summaryKey,
      to: [contact],
      now: ctx.now,
      notBefore: nextFree,
      causeSender: key,
      causeKind: 'notice-summary',
      model: summaryModel([{ ...detail, recipientName: contact.name ?? null }], contact.email),
    });
    if (row) sends.push({ id: row.id, attempt: 0, at: row.at });
  }
  const keep = (cs: Contact[]) => cs.filter((c) => now.has(addressKey(c.email)));
  let to = keep(intent.to);
  let cc = keep(intent.cc);
  if (to.length === 0) [to, cc] = [cc, []];
  return { immediate: to.length > 0 ? { ...intent, to, cc } : null, sends };
}

/** What a summary says of one step: the case, the step, who it went to, its deadline and what comes next. */
function stepDetail(state: CaseState, intent: StepNotice, ctx: CaseContext, mailbox: string): Record<string, unknown> {
  const c = buildMailContext(state, intent, ctx, mailbox);
  const step = c.step;
  return {
    ref: c.case.ref,
    subject: c.case.subject,
    childRef: c.case.childRef,
    step: intent.step,
    title: step?.title ?? '',
    to: step?.toText ?? '',
    copied: (step?.copied ?? []).map((p) => (p.label ? `${p.name} (${p.label})` : p.name)).join(', '),
    deadlineDate: step?.deadlineDate ?? null,
    next: step?.next ? { title: step.next.title, date: step.next.date, approval: step.next.approval } : null,
    duties: step?.duties ?? [],
    sentOn: c.today,
  };
}

/** The template model of a summary of these steps to this address. */
function summaryModel(items: Record<string, unknown>[], email: string): Record<string, unknown> {
  const name = items.map((i) => i.recipientName).find((n): n is string => typeof n === 'string' && n.length > 0);
  const duties = [...new Set(items.flatMap((i) => (Array.isArray(i.duties) ? (i.duties as string[]) : [])))];
  const refs = [...new Set(items.map((i) => String(i.ref)))];
  return {
    recipient: { name: name ?? email },
    count: items.length,
    refs,
    refsText: refs.length > 3 ? `${refs.slice(0, 3).join(', ')} and ${refs.length - 3} more` : refs.join(', '),
    items,
    duties,
  };
}

/**
 * A claimed summary, composed as it goes from every step folded into it, and stored (same row, same
 * Message-ID) so that a follow-up to a recipient refused for now sends the same bytes.
 */
export async function composeNoticeSummary(db: Repositories, org: OrgRuntime, deps: { secret: string }, row: OutboxRow, now: Date): Promise<Buffer> {
  const items = await db.folded.detailsOf(row.dedupeKey);
  const to = must(row.to[0], 'a notice recipient');
  const recipientName = items[0]?.recipientName;
  const { rendered, composed } = await composeOrgNotice(org, deps, {
    kind: 'notice-summary',
    dedupeKey: row.dedupeKey,
    to: [{ email: to, ...(typeof recipientName === 'string' && recipientName.length > 0 ? { name: recipientName } : {}) }],
    now,
    model: summaryModel(items, to),
  });
  await db.outbox.composeClaimed(row.id, composed.raw, rendered.subject, now);
  return composed.raw;
}
