import type { EntityManager } from '@mikro-orm/postgresql';
import { addEvents } from '../db/repositories/case-repository.js';
import { outboxKindSchema, type OutboxKind } from '../domain/case/mail-intents.js';
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
 * Writes the follow-up row, copied from the row that went (bytes included, in the database), and
 * a `mail-recipients-deferred` event on each case the mail was about. Runs in the transaction that
 * records the send, so an acceptance is never recorded without the follow-up its refusals need.
 */
export async function insertResend(
  tx: EntityManager,
  parentId: string,
  resend: Resend,
  now: Date,
  cases: Array<{ caseId: string; kind: OutboxKind }>,
): Promise<void> {
  await tx.execute(
    `insert into outbox_mail (id, organisation_id, case_id, kind, dedupe_key, message_id, step, envelope_from, envelope_to, "to", cc, subject, raw, sha256,
                              status, not_before, waits_for_window, resend_of, attempts, created_at, updated_at)
     select ?, organisation_id, case_id, kind, ?, message_id, step, envelope_from, ?::jsonb, ?::jsonb, ?::jsonb, subject, raw, sha256,
            'pending', ?, waits_for_window, id, ?, ?, ?
       from outbox_mail where id = ?
     on conflict (dedupe_key) do nothing`,
    [
      resend.id,
      resend.dedupeKey,
      JSON.stringify(resend.envelopeTo),
      JSON.stringify(resend.to),
      JSON.stringify(resend.cc),
      resend.notBefore,
      resend.attempts,
      now,
      now,
      parentId,
    ],
  );
  for (const c of cases) {
    addEvents(
      tx,
      c.caseId,
      [
        {
          type: 'mail-recipients-deferred',
          actor: 'system',
          at: now.toISOString(),
          detail: { outbox: parentId, kind: c.kind, resend: resend.id, recipients: resend.refused, retryAt: resend.notBefore.toISOString() },
        },
      ],
      `outbox:${parentId}`,
    );
  }
  await tx.flush();
}

/**
 * The chaser rows a combined mail was sent for (they are marked sent "in the combined mail <id>",
 * see chaser-bundle.ts): what a failure of a follow-up of that combined mail is recorded on.
 */
export async function bundleMembers(em: EntityManager, bundleMessageId: string): Promise<Array<{ caseId: string; kind: OutboxKind; step: number | null }>> {
  const rows = await em.execute<Array<{ case_id: string | null; kind: string; step: number | null }>>(
    `select case_id, kind, step from outbox_mail where smtp_response = ? and case_id is not null order by created_at, id`,
    [`sent in the combined mail ${bundleMessageId}`],
  );
  return rows.map((r) => ({ caseId: r.case_id!, kind: outboxKindSchema.parse(r.kind), step: r.step }));
}
