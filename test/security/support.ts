/**
 * Mail as the security tests send it: any sender, any headers, through the real Dovecot inbox and
 * the running service, with the verdict the service recorded.
 */
import type { EscalatorHarness } from '../support/escalator-harness.js';
import { INBOX, rfc822 } from '../support/escalator-harness.js';
import type { CaseMail } from '../support/case-mail.js';

let n = 0;

export interface Sent {
  id: string;
  verdict: { status: string; route: string; reason: string | null; case_id: string | null };
}

export async function send(
  h: EscalatorHarness,
  mail: CaseMail,
  m: { from: string; to?: string; cc?: string; subject: string; body: string; inReplyTo?: string; headers?: Record<string, string>; verified?: boolean },
): Promise<Sent> {
  const domain = /@([^>\s]+)>?\s*$/.exec(m.from)?.[1] ?? 'example.invalid';
  const id = `<sec-${process.pid}-${++n}@${domain}>`;
  await mail.deliver(
    rfc822({
      from: m.from,
      to: m.to ?? INBOX,
      ...(m.cc ? { cc: m.cc } : {}),
      subject: m.subject,
      messageId: id,
      date: h.clock.now(),
      ...(m.inReplyTo ? { inReplyTo: m.inReplyTo, references: m.inReplyTo } : {}),
      ...(m.headers ? { headers: m.headers } : {}),
      ...(m.verified === false ? { verified: false } : {}),
      body: m.body,
    }),
    id,
  );
  await h.promoteDue();
  await h.settle();
  const verdict = (await h.em().execute<Sent['verdict'][]>(`select status, route, reason, case_id from message where message_id = ?`, [id]))[0]!;
  return { id, verdict };
}

export async function events(h: EscalatorHarness, caseId: string): Promise<{ type: string; actor: string; detail: Record<string, unknown> }[]> {
  return h.em().execute(`select type, actor, detail from case_event where case_id = ? order by id`, [caseId]);
}

/** The one-time code of a "Please confirm" mail (or a confirmation that asks for one). */
export function tokenIn(text: string | false | undefined): string {
  const m = /CONFIRM ([A-Z2-7]{20})/.exec(String(text));
  if (!m) throw new Error('no CONFIRM code in the mail');
  return m[1]!;
}
