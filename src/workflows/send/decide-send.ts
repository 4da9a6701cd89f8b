import type { WorkCalendar } from '../../domain/calendar/work-calendar.js';
import type { DeliveryEvidence } from '../../runtime/delivery-evidence.js';
import type { SendError, SendResult } from '../../runtime/mail-transport.js';
import { splitRefusals, type Refusal } from '../outbox-resend.js';

/**
 * The send job's rules, pure: whether a claimed mail may go now (decideSend) and what to record
 * once the transport has answered (afterSend). No I/O, no clock: the executor
 * (send-executor.ts) gathers the facts, asks, and carries out the answer. A single mail and a
 * combined mail of several chasers are decided alike: a single mail is a bundle of one.
 */

/** After this many temporary failures the mail is given up on and the RM told. */
export const MAX_ATTEMPTS = 12;

/** Waits between attempts after a temporary failure: 1, 2, 4 … minutes, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60, 2 ** Math.max(0, attempts - 1)) * 60_000;
}

/**
 * When a mail not sent now may be tried again, at the earliest `at`. Mail that waits for the send
 * window (chasers, notices to people outside the organisation: the row's `waitsForWindow`, from
 * the intent's timing) never goes outside it: a retry or deferral that would fall in the evening,
 * at night, at a weekend or on a bank holiday of the organisation's nation waits for the next
 * opening. Waiting is never an attempt: only sends count towards MAX_ATTEMPTS.
 */
export function mayGoAt(row: { waitsForWindow: boolean }, calendar: Pick<WorkCalendar, 'nextOpening'>, at: Date): Date {
  return row.waitsForWindow ? calendar.nextOpening(at) : at;
}

/**
 * How long a mail abandoned mid-send waits for the server's Sent folder to answer whether it went;
 * after that it is sent again (a possible duplicate is better than a chaser never sent).
 */
export const EVIDENCE_PATIENCE_MS = 60 * 60_000;
/** How soon the Sent folder is asked again when it could not be read. */
export const EVIDENCE_RETRY_MS = 2 * 60_000;

/** The claimed mail, as the rules see it (a combined mail: its first chaser's, with the window always on). */
export interface SendCandidate {
  waitsForWindow: boolean;
  /** Attempts made, the one just claimed included. */
  attempts: number;
  /** Set when the reconciler took the row back from a worker that died mid-send. */
  abandonedAt: Date | null;
}

/**
 * The candidate for what goes out in one submission: one row, or the chasers of a combined mail
 * (their first's attempts; a combined mail is chasers, which wait for the send window).
 */
export function candidateFor(rows: readonly { waitsForWindow: boolean; attempts: number; abandonedAt?: Date | null }[]): SendCandidate {
  const first = rows[0];
  if (!first) throw new Error('nothing to send');
  return { waitsForWindow: first.waitsForWindow || rows.length > 1, attempts: first.attempts, abandonedAt: first.abandonedAt ?? null };
}

export interface SendFacts {
  now: Date;
  calendar: Pick<WorkCalendar, 'nextOpening'>;
  mail: SendCandidate;
  /** For an abandoned mail, what the server's Sent folder said; undefined: there is none to ask. */
  evidence?: DeliveryEvidence;
  /** When the mailbox's send limit has room: null now, undefined not asked yet (the executor asks when told to). */
  slotAt?: Date | null;
}

export type WaitReason = 'evidence-unknown' | 'send-window' | 'rate-limit' | 'server-asked';

export type SendDecision =
  /** The Sent folder has it: record it as sent, do not send it again. */
  | { kind: 'already-sent' }
  /** Back to pending until `until`, the claim's attempt given back. */
  | { kind: 'wait'; until: Date; reason: WaitReason }
  /** Take a slot of the mailbox's send limit (a reservation), then decide again with `slotAt`. */
  | { kind: 'reserve-slot' }
  | { kind: 'send' };

/** May the claimed mail go now? Asked once, then again with `slotAt` when the answer is `reserve-slot`. */
export function decideSend(f: SendFacts): SendDecision {
  if (f.mail.abandonedAt && f.evidence) {
    if (f.evidence === 'found') return { kind: 'already-sent' };
    // The folder could not be read: ask again soon, for a while, before risking a duplicate.
    if (f.evidence === 'unknown' && f.now.getTime() - f.mail.abandonedAt.getTime() < EVIDENCE_PATIENCE_MS) {
      return { kind: 'wait', until: new Date(f.now.getTime() + EVIDENCE_RETRY_MS), reason: 'evidence-unknown' };
    }
  }
  // Outside the send window (a retry or a job that ran late, a clock moved): wait for the opening.
  const opening = mayGoAt(f.mail, f.calendar, f.now);
  if (opening > f.now) return { kind: 'wait', until: opening, reason: 'send-window' };
  if (f.slotAt === undefined) return { kind: 'reserve-slot' };
  // The mailbox is at its per-minute limit: wait until the window has room (and, for mail that
  // waits for it, the send window is open).
  if (f.slotAt) return { kind: 'wait', until: mayGoAt(f.mail, f.calendar, f.slotAt), reason: 'rate-limit' };
  return { kind: 'send' };
}

/** What the transport answered: accepted (maybe not for everyone), or an error. */
export type TransportAnswer = { result: SendResult } | { error: SendError };

export type AfterSend =
  /**
   * Accepted. `bounced` (5xx) and `givenUp` (4xx after the last attempt) are recorded on the case
   * as undeliverable; `resendTo` (4xx) get the same mail again, alone, at `resendAt`.
   */
  | {
      kind: 'sent';
      response: string;
      bounced: Refusal[];
      givenUp: Refusal[];
      resendTo: Refusal[];
      resendAt: Date | null;
      /** The rows whose cases get the refusals (every chaser of a combined mail), with the reason when some were given up on. */
      refusalsOn: string[];
      rejectionReason?: string;
    }
  /** A temporary failure: pending again at `at`, the attempt counted. */
  | { kind: 'retry'; at: Date; error: string }
  /** The server asked us to come back later (429/503 with a retry-after): pending until `until`, the attempt given back. */
  | { kind: 'wait'; until: Date; reason: 'server-asked' }
  /**
   * Given up: a permanent refusal, or the attempts are used up. `rejected` recipients are marked
   * undeliverable; otherwise (the message refused, not the addresses) the RM is told `reason`.
   */
  | { kind: 'failed'; error: string; response: string | null; rejected: Refusal[]; reason: string; temporary: boolean };

/** What to record once the transport has answered for a claimed mail. */
export function afterSend(f: {
  now: Date;
  calendar: Pick<WorkCalendar, 'nextOpening'>;
  /** With the envelope it went to (a refusal of someone not in it cannot be sent to again) and the rows it carried. */
  mail: SendCandidate & { envelopeTo: string[]; rows: string[] };
  answer: TransportAnswer;
}): AfterSend {
  const { now, calendar, mail } = f;
  const retryAt = () => mayGoAt(mail, calendar, new Date(now.getTime() + retryDelayMs(mail.attempts)));
  if ('error' in f.answer) {
    const e = f.answer.error;
    if (e.temporary && e.retryAfterMs !== undefined) {
      return { kind: 'wait', until: mayGoAt(mail, calendar, new Date(now.getTime() + Math.max(0, e.retryAfterMs))), reason: 'server-asked' };
    }
    if (e.temporary && mail.attempts < MAX_ATTEMPTS) return { kind: 'retry', at: retryAt(), error: e.message };
    return {
      kind: 'failed',
      error: e.message,
      response: e.response ?? null,
      rejected: e.rejected,
      reason: e.temporary && e.rejected.length === 0 ? `gave up after ${mail.attempts} attempts: ${e.message}` : e.message,
      temporary: e.temporary,
    };
  }
  // Recipients refused with a 4xx get the same message again, alone, on the retry schedule; on the
  // last attempt they are given up on with the 5xx ones.
  const { bounced, deferred } = splitRefusals(f.answer.result.rejected);
  const envelope = new Set(mail.envelopeTo.map((a) => a.toLowerCase()));
  const again = mail.attempts < MAX_ATTEMPTS && deferred.some((r) => envelope.has(r.address.toLowerCase()));
  const givenUp = again ? [] : deferred;
  return {
    kind: 'sent',
    response: f.answer.result.response,
    bounced,
    givenUp,
    resendTo: again ? deferred : [],
    resendAt: again ? retryAt() : null,
    refusalsOn: bounced.length + givenUp.length > 0 ? mail.rows : [],
    ...(givenUp.length > 0 ? { rejectionReason: `recipients refused (temporary refusals given up on after ${mail.attempts} attempts)` } : {}),
  };
}
