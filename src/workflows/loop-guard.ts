import type { EntityManager } from '@mikro-orm/postgresql';
import type { MailKind } from '../domain/case/decision.js';

/**
 * Mail loops: a responder that answers everything (an autoresponder without RFC 3834 headers, a
 * forwarding rule, another ticket system) would meet our acknowledgements and error replies and
 * never stop. Like Zammad (10 mails in 10 minutes, 25 in an hour, per recipient), we count what
 * the case already sent to each recipient before writing another mail to them.
 */
export const LOOP_LIMITS: ReadonlyArray<{ windowMs: number; max: number }> = [
  { windowMs: 10 * 60_000, max: 10 },
  { windowMs: 60 * 60_000, max: 25 },
];

/**
 * Mails the ladder itself produces (a rung, the notices that go with it, an approval draft) are
 * the service's purpose: beyond the limit they wait until the count allows them. Everything else
 * answers an inbound message (acknowledgements, error replies, forwarded replies) — that is what
 * a loop feeds on — so beyond the limit it is dropped, with an event on the case.
 */
const DEFERRED_KINDS: ReadonlySet<MailKind> = new Set<MailKind>([
  'chaser',
  'step-notice',
  'kept-informed',
  'approval-request',
  'approval-reminder',
  'contact-request',
]);

export type LoopVerdict = { action: 'send' } | { action: 'defer'; until: Date; recipients: string[] } | { action: 'drop'; recipients: string[] };

/**
 * The pure rule: given when each recipient was last written to on this case (any order), may one
 * more mail of this kind go now? Deferral is to the moment the oldest mail in the full window
 * leaves it.
 */
export function loopVerdict(kind: MailKind, recipients: string[], history: Map<string, Date[]>, now: Date): LoopVerdict {
  let until = 0;
  const over: string[] = [];
  for (const r of recipients) {
    const times = (history.get(r) ?? []).map((d) => d.getTime()).sort((a, b) => b - a);
    for (const { windowMs, max } of LOOP_LIMITS) {
      const inWindow = times.filter((t) => t > now.getTime() - windowMs);
      if (inWindow.length >= max) {
        if (!over.includes(r)) over.push(r);
        until = Math.max(until, inWindow[max - 1]! + windowMs);
      }
    }
  }
  if (over.length === 0) return { action: 'send' };
  if (DEFERRED_KINDS.has(kind)) return { action: 'defer', until: new Date(until), recipients: over };
  return { action: 'drop', recipients: over };
}

/**
 * When this case wrote to each of these addresses in the last hour (rows already written, in any
 * state but cancelled or an unreleased approval draft; a follow-up to a recipient refused for a
 * while is the same mail, already counted). Runs inside the transaction that holds
 * the case row, so two workers can never both slip under the limit.
 */
export async function recentMailTo(em: EntityManager, caseId: string, recipients: string[], now: Date): Promise<Map<string, Date[]>> {
  const longest = Math.max(...LOOP_LIMITS.map((l) => l.windowMs));
  const wanted = recipients.map((r) => r.toLowerCase());
  const rows = await em.execute<Array<{ addr: string; created_at: Date }>>(
    `select lower(addr) as addr, o.created_at
       from outbox_mail o, jsonb_array_elements_text(o."to" || o.cc) addr
      where o.case_id = ? and o.status not in ('cancelled', 'held') and o.resend_of is null and o.created_at > ?
        and lower(addr) in (select jsonb_array_elements_text(?::jsonb))`,
    [caseId, new Date(now.getTime() - longest), JSON.stringify(wanted)],
  );
  const out = new Map<string, Date[]>();
  for (const r of rows) out.set(r.addr, [...(out.get(r.addr) ?? []), new Date(r.created_at)]);
  return out;
}
