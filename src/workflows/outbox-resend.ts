import type { FollowUp } from '../db/repositories/index.js';
import type { OutboxKind } from '../domain/case/mail-intents.js';
import { newId } from '../lib/ids.js';
import { addressKey } from '../domain/address.js';

/** A recipient the server refused at RCPT while it accepted the message for others. */
export interface Refusal {
  address: string;
  code?: number;
  response?: string;
}

/**
 * Only a 5xx refusal of a recipient is a bounce (the address is undeliverable). A 4xx refusal (a
 * full mailbox, greylisting, a server busy for that domain) says "try again later", as a 4xx for
 * the whole message does; a refusal without a code is given the benefit of the doubt as well.
 */
export function splitRefusals(rejected: Refusal[]): { bounced: Refusal[]; deferred: Refusal[] } {
  const bounced = rejected.filter((r) => (r.code ?? 0) >= 500);
  return { bounced, deferred: rejected.filter((r) => !bounced.includes(r)) };
}

/**
 * A follow-up send: the recipients a submission was refused for with a 4xx, sent the same stored
 * message (the same bytes, the same Message-ID) with an envelope of those recipients only. It is an
 * outbox row of its own (`resend_of` the row that went) so that each recipient's delivery has its
 * own record: the row that went says who it went to and what the server answered, the follow-up
 * the same for the rest. It keeps the attempts already made for those recipients, so its retries
 * (and in the end giving up, which marks them undeliverable) continue the same count.
 */
export interface Resend {
  id: string;
  dedupeKey: string;
  envelopeTo: string[];
  to: string[];
  cc: string[];
  notBefore: Date;
  attempts: number;
  refused: Refusal[];
}

/** The follow-up of `row` for these refused recipients, or undefined when none of them is in its envelope. */
export function planResend(
  row: { id: string; envelopeTo: string[]; to: string[]; cc: string[]; attempts: number },
  refused: Refusal[],
  notBefore: Date,
): Resend | undefined {
  const wanted = new Set(refused.map((r) => addressKey(r.address)));
  const pick = (list: string[]) => list.filter((a) => wanted.has(addressKey(a)));
  const envelopeTo = pick(row.envelopeTo);
  if (envelopeTo.length === 0) return undefined;
  // One follow-up per submission: recording the same acceptance twice writes it once.
  return { id: newId(), dedupeKey: `resend:${row.id}`, envelopeTo, to: pick(row.to), cc: pick(row.cc), notBefore, attempts: row.attempts, refused };
}

/**
 * The follow-up to write with the acceptance of `parentId`, with a `mail-recipients-deferred`
 * event on each case the mail was about (see OutboxRepository.markSent: one transaction).
 */
export function followUpOf(parentId: string, resend: Resend, now: Date, cases: { caseId: string; kind: OutboxKind }[]): FollowUp {
  return {
    resend,
    events: cases.map((c) => ({
      caseId: c.caseId,
      events: [
        {
          type: 'mail-recipients-deferred',
          actor: 'system',
          at: now.toISOString(),
          detail: { outbox: parentId, kind: c.kind, resend: resend.id, recipients: resend.refused, retryAt: resend.notBefore.toISOString() },
        },
      ],
    })),
  };
}
