import type { CaseContext } from '../domain/case/case-context.js';
import type { CaseState } from '../domain/case/case-state.js';
import type { MailIntent } from '../domain/case/decision.js';
import type { Repositories } from '../db/repositories/index.js';
import type { OrgRuntime } from '../runtime/organisations.js';
import { writeOrgNotice } from './org-notice.js';
import { must } from '../lib/must.js';

/**
 * A notice about a stranger quoting a case reference, over the organisation's hourly allowance
 * (`limits.strangerNoticesPerHour`): listed in one summary to the RM that goes when the hour has
 * room again, however many cases and strangers it covers. The message itself is recorded and
 * flagged on its case as always; only the separate notice is folded.
 */
export async function foldStrangerNotice(
  tx: Repositories,
  org: OrgRuntime,
  state: CaseState,
  intent: MailIntent,
  ctx: CaseContext,
  deps: { secret: string },
  until: Date,
): Promise<{ id: string; attempt: number; at: Date }[]> {
  const cause = must(intent.cause, 'the cause of a notice to a stranger');
  await tx.flush();
  // Locked: a send job cannot claim it until this transaction has added to it.
  const pending = await tx.outbox.lockPendingStrangerSummary(org.id);
  const summaryKey = pending?.dedupeKey ?? `stranger-summary:${org.id}:${state.id}:${intent.key}`;
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
          sender: cause.sender,
          into: summaryKey,
          reason: 'folded: notices about strangers quoting case references are limited per hour',
        },
      },
    ],
    'loop-guard',
  );
  const items = await tx.folded.ofSummary(summaryKey);
  const cal = org.calendar;
  const row = await writeOrgNotice(tx, org, deps, {
    kind: 'stranger-summary',
    dedupeKey: summaryKey,
    to: [org.manager],
    now: ctx.now,
    notBefore: until,
    causeKind: 'stranger-summary',
    ...(pending ? { replace: pending.id } : {}),
    model: {
      manager: { name: org.manager.name ?? org.manager.email },
      count: items.length,
      refs: [...new Set(items.map((i) => i.ref ?? '?'))],
      items: items.map((i) => ({ sender: i.sender, ref: i.ref ?? '?', at: cal.format(new Date(i.at)), safeguarding: i.safeguarding })),
    },
  });
  return row ? [{ id: row.id, attempt: 0, at: row.at }] : [];
}
