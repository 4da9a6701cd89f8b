import type { Repositories } from '../../db/repositories/index.js';
import type { MessageRow } from '../../db/entities/types.js';
import type { MessageAnalysis } from '../../domain/inbound/analyse-message.js';
import type { CaseCommands } from '../../domain/inbound/case-commands.js';
import type { InboundMail } from '../../domain/inbound/inbound-mail.js';
import { decideRoute, type Route } from '../../domain/inbound/route.js';
import type { OrgRuntime } from '../../runtime/organisations.js';
import { referencesFor } from '../../outbound/compose/threading.js';
import { writeOrgNotice } from '../org-notice.js';
import type { AfterCommit } from '../persist-decision.js';
import { routeFacts, type MatchedCase } from './message-facts.js';

/** The ingest job's own way of applying a route to one case (commands, or a confirmation round trip). */
export type ApplyToCase = (route: Route, analysis: MessageAnalysis, caseId: string) => Promise<{ work?: AfterCommit }>;

export interface CaseCommandsResult {
  /** The cases the message's lines were applied to (or asked to be confirmed for). */
  caseIds: string[];
  work: AfterCommit[];
}

/**
 * Staff wrote about several cases at once (a reply to the weekly digest): each case named gets its
 * own lines, routed by the same rules as a message in its thread (an unverified sender is asked to
 * CONFIRM, per case; a chased manager's lines are no commands on the case about them), and is
 * answered there (done, or not understood). Everything that could not go to a case — a command
 * naming none, a reference that is not ours, lines a case's rules refuse — is answered in one mail
 * to the sender, so nothing they wrote is dropped.
 */
export async function applyCaseCommands(
  tx: Repositories,
  deps: { secret: string },
  org: OrgRuntime,
  msg: Pick<MessageRow, 'id'>,
  mail: InboundMail,
  analysis: MessageAnalysis,
  read: CaseCommands,
  now: Date,
  apply: ApplyToCase,
): Promise<CaseCommandsResult> {
  const problems = [...read.problems];
  const caseIds: string[] = [];
  const work: AfterCommit[] = [];
  for (const group of read.groups) {
    const row = await tx.cases.findByRef(group.ref);
    if (row?.organisation !== org.id) {
      problems.unshift(`${group.ref}: there is no case with this reference here, so nothing was changed.`);
      continue;
    }
    // The message as if it had been written in the case's thread with only its own lines.
    const forCase: MessageAnalysis = { ...analysis, commands: group.commands, caseTag: group.ref, escalateTag: false };
    delete forCase.confirmToken;
    delete forCase.plusLadder;
    const matched: MatchedCase = { row, by: 'tag' };
    const route = decideRoute(routeFacts(org, mail, forCase, matched, false));
    if (route.kind !== 'command' && route.kind !== 'confirm-commands') {
      problems.unshift(`${group.ref}: nothing was changed, because ${refusal(route)}.`);
      continue;
    }
    const result = await apply(route, forCase, row.id);
    caseIds.push(row.id);
    if (result.work) work.push(result.work);
  }
  if (problems.length > 0 || read.groups.length === 0) {
    const sender = mail.from?.address ?? '';
    const notice = await writeOrgNotice(tx, org, deps, {
      kind: 'commands-answer',
      dedupeKey: `commands-answer:${msg.id}`,
      to: [{ email: sender, ...(mail.from?.name ? { name: mail.from.name } : {}) }],
      now,
      notBefore: now,
      causeSender: sender.toLowerCase(),
      // An answer to the RM's own message: it threads under it (and so under the digest or notice they answered).
      ...(mail.messageId ? { inReplyTo: mail.messageId, references: referencesFor(mail.references, [mail.messageId]) } : {}),
      model: {
        name: (mail.from?.name ?? '').trim() || sender,
        subject: mail.subject || '(no subject)',
        sentAt: org.calendar.format(mail.date),
        problems,
        applied: caseIds.length,
        nothingFound: read.groups.length === 0 && problems.length === 0,
        example: `ESC-${org.calendar.local(now).toFormat('yyyy')}-0012`,
        exampleDate: org.calendar.local(now).plus({ weeks: 2 }).toFormat('d MMMM'),
      },
    });
    if (notice) work.push({ sends: [{ id: notice.id, attempt: 0, at: notice.at }] });
  }
  return { caseIds, work };
}

/** Why a case's rules refused its lines, in the sender's terms. */
function refusal(route: Route): string {
  switch (route.kind) {
    case 'recipient-reply':
    case 'reply-notice':
      return 'you are one of the people this escalation asks to act, and nobody gives commands on an escalation about themselves';
    case 'flag':
    case 'quarantine':
    case 'ignore':
    case 'reject':
      return route.reason;
    default:
      return 'those lines are not commands it can take';
  }
}
