import { DateTime } from 'luxon';
import type { Config } from '../config/config-schema.js';
import type { Repositories } from '../db/repositories/index.js';

export type RetentionPolicy = Config['retention'];

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
export async function planPurge(db: Repositories, policy: RetentionPolicy, now: Date): Promise<PurgeReport> {
  const casesBefore = yearsBefore(now, policy.rawMessagesAfterClosedYears);
  const unmatchedBefore = yearsBefore(now, policy.unmatchedMessagesAfterYears);
  const cases = casesBefore ? await db.retention.closedCasesBefore(casesBefore) : [];
  const unmatched = unmatchedBefore ? await db.retention.unmatchedBefore(unmatchedBefore) : { messages: 0, bytes: 0 };
  const list = cases
    .filter((c) => c.messages + c.outbox > 0)
    .map((c) => ({ ref: c.ref, closedAt: c.closedAt.toISOString(), messages: c.messages, outbox: c.outbox, bytes: c.bytes }));
  const un = unmatched;
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
export async function purge(db: Repositories, policy: RetentionPolicy, now: Date, opts: { dryRun: boolean; actor: string }): Promise<PurgeReport> {
  const plan = await planPurge(db, policy, now);
  if (opts.dryRun) return plan;
  await db.transaction(async (tx) => {
    for (const c of plan.cases) {
      const caseId = await tx.retention.lockCaseByRef(c.ref);
      if (!caseId) continue;
      const purged = await tx.retention.purgeCase(caseId, now);
      tx.cases.addEvents(
        caseId,
        [
          {
            type: 'raw-messages-purged',
            actor: opts.actor,
            at: now.toISOString(),
            detail: {
              messages: purged.messages,
              outbox: purged.outbox,
              policy: `raw messages of cases closed more than ${policy.rawMessagesAfterClosedYears} years ago`,
            },
          },
        ],
        'retention',
      );
    }
    if (plan.unmatchedBefore) await tx.retention.purgeUnmatched(new Date(plan.unmatchedBefore), now);
    await tx.flush();
  });
  return { ...plan, dryRun: false };
}
