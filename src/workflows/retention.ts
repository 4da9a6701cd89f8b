import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime } from 'luxon';
import type { Config } from '../config/config-schema.js';
import { addEvents } from '../db/repositories/case-repository.js';

export type RetentionPolicy = Config['retention'];

/**
 * When a case stopped: the close for a closed case, the resolution for a resolved one (a case
 * reopened and closed again counts from the last time). Falls back to the row's last update.
 */
const CLOSED_AT_SQL = `case when c.status = 'closed' then coalesce((c.state->>'closedAt')::timestamptz, c.updated_at)
                            else coalesce(c.resolved_at, c.updated_at) end`;

/** Outbound rows in these states are finished with: their bytes may go. Pending, sending and held rows never are purged. */
const FINISHED_OUTBOX = `('sent', 'failed', 'cancelled')`;

export interface PurgeCase {
  ref: string;
  closedAt: string;
  messages: number;
  outbox: number;
  bytes: number;
}

export interface PurgeReport {
  dryRun: boolean;
  /** Cases closed before this moment lose their raw messages (null: the policy keeps them forever). */
  casesClosedBefore: string | null;
  /** Messages outside any case received before this moment lose theirs. */
  unmatchedBefore: string | null;
  cases: PurgeCase[];
  unmatched: { messages: number; bytes: number };
  totals: { messages: number; outbox: number; bytes: number };
}

function yearsBefore(now: Date, years: number): Date | null {
  if (years <= 0) return null;
  return DateTime.fromJSDate(now, { zone: 'utc' }).minus({ years }).toJSDate();
}

/**
 * What the retention policy lets go, by the injected clock. Only the raw source (and the body
 * text we extracted from it) is purged: the case, its immutable events, every message's
 * metadata (sender, recipients, subject, dates, size, SHA-256) and our verdicts stay, so the
 * evidence trail still shows what was received and sent, and that the copy was purged.
 */
export async function planPurge(em: EntityManager, policy: RetentionPolicy, now: Date): Promise<PurgeReport> {
  const casesBefore = yearsBefore(now, policy.rawMessagesAfterClosedYears);
  const unmatchedBefore = yearsBefore(now, policy.unmatchedMessagesAfterYears);
  const cases = casesBefore
    ? await em.execute<Array<{ ref: string; closed_at: Date; messages: string; outbox: string; bytes: string | null }>>(
        `select c.ref, ${CLOSED_AT_SQL} as closed_at,
                (select count(*) from message m where m.case_id = c.id and m.raw is not null) as messages,
                (select count(*) from outbox_mail o where o.case_id = c.id and o.raw is not null and o.status in ${FINISHED_OUTBOX}) as outbox,
                coalesce((select sum(length(m.raw)) from message m where m.case_id = c.id and m.raw is not null), 0)
                  + coalesce((select sum(length(o.raw)) from outbox_mail o where o.case_id = c.id and o.raw is not null and o.status in ${FINISHED_OUTBOX}), 0) as bytes
           from escalation_case c
          where c.status in ('resolved', 'closed') and ${CLOSED_AT_SQL} < ?
          order by closed_at, c.ref`,
        [casesBefore],
      )
    : [];
  const withSomething = cases.filter((c) => Number(c.messages) + Number(c.outbox) > 0);
  const unmatched = unmatchedBefore
    ? (
        await em.execute<Array<{ messages: string; bytes: string | null }>>(
          `select count(*) as messages, coalesce(sum(length(raw)), 0) as bytes from message
            where case_id is null and raw is not null and status <> 'pending' and received_at < ?`,
          [unmatchedBefore],
        )
      )[0]!
    : { messages: '0', bytes: '0' };
  const list = withSomething.map((c) => ({
    ref: c.ref,
    closedAt: new Date(c.closed_at).toISOString(),
    messages: Number(c.messages),
    outbox: Number(c.outbox),
    bytes: Number(c.bytes ?? 0),
  }));
  const un = { messages: Number(unmatched.messages), bytes: Number(unmatched.bytes ?? 0) };
  return {
    dryRun: true,
    casesClosedBefore: casesBefore?.toISOString() ?? null,
    unmatchedBefore: unmatchedBefore?.toISOString() ?? null,
    cases: list,
    unmatched: un,
    totals: {
      messages: list.reduce((n, c) => n + c.messages, 0) + un.messages,
      outbox: list.reduce((n, c) => n + c.outbox, 0),
      bytes: list.reduce((n, c) => n + c.bytes, 0) + un.bytes,
    },
  };
}

/**
 * Applies the plan in one transaction: raw copies and extracted body text become null, outbound
 * rows keep a SHA-256 of what was sent, and each case gets a `raw-messages-purged` event (the
 * audit trail says the copies existed and when they went). Running it again purges nothing more.
 */
export async function purge(em: EntityManager, policy: RetentionPolicy, now: Date, opts: { dryRun: boolean; actor: string }): Promise<PurgeReport> {
  const plan = await planPurge(em, policy, now);
  if (opts.dryRun) return plan;
  await em.transactional(async (tx) => {
    for (const c of plan.cases) {
      const row = (await tx.execute<Array<{ id: string }>>(`select id from escalation_case where ref = ? for update`, [c.ref]))[0];
      if (!row) continue;
      const messages = await tx.execute<Array<{ id: string }>>(
        // Lines we could not read (unknown directives, command errors) are quoted text too.
        `update message set raw = null, new_text = null, raw_purged_at = ?,
                analysis = case when analysis is null then null else analysis - 'commandErrors' - 'unknownDirectives' end
          where case_id = ? and raw is not null returning id`,
        [now, row.id],
      );
      // The young person's views and the RM's notes are the case's own free text: they go with
      // the raw copies (the events only ever recorded that they were written, not what).
      await tx.execute(
        `update escalation_case set state = jsonb_set(jsonb_set(state,
                  '{views}', coalesce((select jsonb_agg(v - 'text' || '{"text":"(purged)"}'::jsonb) from jsonb_array_elements(state->'views') v), '[]'::jsonb)),
                  '{notes}', coalesce((select jsonb_agg(n - 'text' || '{"text":"(purged)"}'::jsonb) from jsonb_array_elements(state->'notes') n), '[]'::jsonb))
          where id = ?`,
        [row.id],
      );
      // Pending round trips hold the commands as written.
      await tx.execute(`delete from sender_confirmation where case_id = ?`, [row.id]);
      const outbox = await tx.execute<Array<{ id: string }>>(
        `update outbox_mail set sha256 = coalesce(sha256, encode(sha256(raw), 'hex')), raw = null, raw_purged_at = ?, updated_at = ?
          where case_id = ? and raw is not null and status in ${FINISHED_OUTBOX} returning id`,
        [now, now, row.id],
      );
      addEvents(
        tx,
        row.id,
        [
          {
            type: 'raw-messages-purged',
            actor: opts.actor,
            at: now.toISOString(),
            detail: {
              messages: messages.length,
              outbox: outbox.length,
              policy: `raw messages of cases closed more than ${policy.rawMessagesAfterClosedYears} years ago`,
            },
          },
        ],
        'retention',
      );
    }
    if (plan.unmatchedBefore) {
      await tx.execute(
        `update message set raw = null, new_text = null, raw_purged_at = ?,
                analysis = case when analysis is null then null else analysis - 'commandErrors' - 'unknownDirectives' end
          where case_id is null and raw is not null and status <> 'pending' and received_at < ?`,
        [now, new Date(plan.unmatchedBefore)],
      );
    }
    await tx.flush();
  });
  return { ...plan, dryRun: false };
}
