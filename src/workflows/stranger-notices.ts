import type { EntityManager } from '@mikro-orm/postgresql';
import type { CaseContext } from '../domain/case/case-context.js';
import type { CaseState } from '../domain/case/case-state.js';
import type { MailIntent } from '../domain/case/decision.js';
import { addEvents } from '../db/repositories/case-repository.js';
import type { OrgRuntime } from '../runtime/organisations.js';
import { writeOrgNotice } from './org-notice.js';

/**
 * A notice about a stranger quoting a case reference, over the organisation's hourly allowance
 * (`limits.strangerNoticesPerHour`): listed in one summary to the RM that goes when the hour has
 * room again, however many cases and strangers it covers. The message itself is recorded and
 * flagged on its case as always; only the separate notice is folded.
 */
export async function foldStrangerNotice(
  em: EntityManager,
  org: OrgRuntime,
  state: CaseState,
  intent: MailIntent,
  ctx: CaseContext,
  deps: { secret: string },
  until: Date,
): Promise<Array<{ id: string; attempt: number; at: Date }>> {
  const cause = intent.cause!;
  await em.flush();
  // Locked: a send job cannot claim it until this transaction has added to it.
  const pending = await em.execute<Array<{ id: string; dedupe_key: string }>>(
    `select id, dedupe_key from outbox_mail where organisation_id = ? and kind = 'stranger-summary' and status = 'pending' order by created_at desc limit 1 for update`,
    [org.id],
  );
  const summaryKey = pending[0]?.dedupe_key ?? `stranger-summary:${org.id}:${state.id}:${intent.key}`;
  await em.execute(
    `insert into folded_notice (organisation_id, case_id, summary_key, sender, kind, message_key, safeguarding, at) values (?, ?, ?, ?, ?, ?, ?, ?)
     on conflict (summary_key, message_key) do nothing`,
    [org.id, state.id, summaryKey, cause.sender, intent.kind, intent.key, !!cause.safeguarding, ctx.now],
  );
  addEvents(
    em,
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
  const items = await em.execute<Array<{ sender: string; at: Date; ref: string | null; safeguarding: boolean }>>(
    `select f.sender, f.at, c.ref, f.safeguarding from folded_notice f left join escalation_case c on c.id = f.case_id where f.summary_key = ? order by f.at, f.id`,
    [summaryKey],
  );
  const cal = org.calendar;
  const row = await writeOrgNotice(em, org, deps, {
    kind: 'stranger-summary',
    dedupeKey: summaryKey,
    to: [org.manager],
    now: ctx.now,
    notBefore: until,
    causeKind: 'stranger-summary',
    ...(pending[0] ? { replace: pending[0].id } : {}),
    model: {
      manager: { name: org.manager.name ?? org.manager.email },
      count: items.length,
      refs: [...new Set(items.map((i) => i.ref ?? '?'))],
      items: items.map((i) => ({ sender: i.sender, ref: i.ref ?? '?', at: cal.format(new Date(i.at)), safeguarding: i.safeguarding })),
    },
  });
  return row ? [{ id: row.id, attempt: 0, at: row.at }] : [];
}
