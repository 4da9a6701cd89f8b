import type { OutboxRepository } from '../db/repositories/index.js';
import type { MailIntent, MailKind } from '../domain/case/decision.js';
import { must } from '../lib/must.js';

/**
 * Mail loops: a responder that answers everything (an autoresponder without RFC 3834 headers, a
 * forwarding rule, another ticket system) would meet our acknowledgements and error replies and
 * never stop. Like Zammad (10 mails in 10 minutes, 25 in an hour), we count before writing.
 *
 * Budgets are fair: what an inbound message makes us write is counted against its sender on its
 * case, so a stranger (or a looping mailbox) spends its own budget and never the RM's, the
 * ladder's or a chased party's. The ladder's own mails are counted per recipient among
 * themselves.
 */
export const LOOP_LIMITS: readonly { windowMs: number; max: number }[] = [
  { windowMs: 10 * 60_000, max: 10 },
  { windowMs: 60 * 60_000, max: 25 },
];

const HOUR_MS = 60 * 60_000;

/**
 * Mails the ladder itself produces (a rung, the notices that go with it, an approval draft) are
 * the service's purpose: beyond the limit they wait until the count allows them.
 */
export const LADDER_KINDS: ReadonlySet<MailKind> = new Set<MailKind>([
  'chaser',
  'step-notice',
  'kept-informed',
  'kept-informed-case',
  'out-of-hours',
  'approval-request',
  'approval-reminder',
  'contact-request',
]);

/** Notices the RM must see whatever caused them: beyond the budget they are folded into a summary, never dropped. */
const MUST_SEE_KINDS: ReadonlySet<MailKind> = new Set<MailKind>(['resolved-notice', 'bounce-notice', 'confirm-request', 'delivery-failure']);

export function mustSee(intent: Pick<MailIntent, 'kind' | 'cause'>): boolean {
  return MUST_SEE_KINDS.has(intent.kind) || !!intent.cause?.mustSee || !!intent.cause?.safeguarding;
}

export type LoopVerdict = { action: 'send' } | { action: 'defer'; until: Date; recipients: string[] } | { action: 'drop'; recipients: string[] };

/** Is one more mail over the limits, given when the earlier ones in the same budget were written? `until`: when it has room again. */
export function overBudget(times: Date[], now: Date, limits: readonly { windowMs: number; max: number }[] = LOOP_LIMITS): { over: boolean; until: Date } {
  const sorted = times.map((d) => d.getTime()).sort((a, b) => b - a);
  let until = 0;
  let over = false;
  for (const { windowMs, max } of limits) {
    if (max <= 0) continue;
    const inWindow = sorted.filter((t) => t > now.getTime() - windowMs);
    if (inWindow.length >= max) {
      over = true;
      until = Math.max(until, must(inWindow[max - 1], 'a time in the window') + windowMs);
    }
  }
  return { over, until: new Date(until) };
}

/**
 * The ladder's rule: given when the ladder last wrote to each recipient on this case (any order),
 * may one more of its mails go now? Deferral is to the moment the oldest mail in the full window
 * leaves it. (Mails that answer an inbound message never come here: they have their sender's budget.)
 */
export function loopVerdict(kind: MailKind, recipients: string[], history: Map<string, Date[]>, now: Date): LoopVerdict {
  let until = 0;
  const over: string[] = [];
  for (const r of recipients) {
    const v = overBudget(history.get(r) ?? [], now);
    if (v.over) {
      over.push(r);
      until = Math.max(until, v.until.getTime());
    }
  }
  if (over.length === 0) return { action: 'send' };
  return { action: 'defer', until: new Date(until), recipients: over };
}

/**
 * When the ladder (mail no inbound message caused) wrote to each of these addresses on this case
 * in the last hour. Runs inside the transaction that holds the case row, so two workers can never
 * both slip under the limit.
 */
export function recentMailTo(outbox: OutboxRepository, caseId: string, recipients: string[], now: Date): Promise<Map<string, Date[]>> {
  const longest = Math.max(...LOOP_LIMITS.map((l) => l.windowMs));
  return outbox.recentMailTo(caseId, recipients, new Date(now.getTime() - longest));
}

/** When this case wrote, in the last hour, mails caused by each of these senders' messages. */
export function recentMailCausedBy(outbox: OutboxRepository, caseId: string, senders: string[], now: Date): Promise<Map<string, Date[]>> {
  return outbox.recentMailCausedBy(caseId, senders, new Date(now.getTime() - HOUR_MS));
}

/** The organisation's notices about strangers in the last hour (counted under a lock per organisation). */
export function recentStrangerNotices(outbox: OutboxRepository, orgId: string, now: Date): Promise<Date[]> {
  return outbox.recentStrangerNotices(orgId, new Date(now.getTime() - HOUR_MS));
}

export const STRANGER_WINDOW_MS = HOUR_MS;
