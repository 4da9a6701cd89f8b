import type { OrgRuntime } from '../../runtime/organisations.js';
import type { CaseRepository, Repositories } from '../../db/repositories/index.js';
import type { CaseRow } from '../../db/entities/types.js';
import { addressKey } from '../../domain/address.js';
import type { CaseContext } from '../../domain/case/case-context.js';
import type { CaseState } from '../../domain/case/case-state.js';
import { resolveRole, roleOfAddress } from '../../domain/case/role-resolution.js';
import type { MessageAnalysis } from '../../domain/inbound/analyse-message.js';
import type { BounceRecipient } from '../../domain/inbound/automatic.js';
import { normaliseMessageId } from '../../inbound/parse-message.js';
import type { InboundMail } from '../../domain/inbound/inbound-mail.js';
import { chasedRoles, type MatchedBy, type RouteFacts } from '../../domain/inbound/route.js';
import { must } from '../../lib/must.js';

export interface MatchedCase {
  row: CaseRow;
  by: MatchedBy;
}

/**
 * Finds the case a message belongs to, in the design's order: its thread (In-Reply-To and
 * References against every Message-ID the case has sent or received), then the [ESC-…] tag in
 * the subject, then the plus token it was addressed to. Bounces are matched by `checkBounce` only.
 */
export async function matchCase(cases: CaseRepository, org: OrgRuntime, analysis: MessageAnalysis): Promise<MatchedCase | undefined> {
  const byThread = await cases.findIdByMessageIds(org.mailbox, analysis.threadIds);
  if (byThread) {
    const row = await cases.findById(byThread);
    if (row?.organisation === org.id) return { row, by: 'thread' };
  }
  if (analysis.caseTag) {
    const row = await cases.findByRef(analysis.caseTag);
    if (row?.organisation === org.id) return { row, by: 'tag' };
  }
  if (analysis.plusToken) {
    const row = await cases.findByToken(analysis.plusToken);
    if (row?.organisation === org.id) return { row, by: 'token' };
  }
  return undefined;
}

export interface BounceCheck {
  matched?: MatchedCase;
  facts: NonNullable<RouteFacts['bounce']>;
  /** The failed recipients that really were envelope recipients of the mail it names. */
  recipients: BounceRecipient[];
}

/**
 * A delivery report counts only when it names a mail from our outbox — the Message-ID in its
 * returned message or headers, its Original-Envelope-Id, or its own In-Reply-To — and the address
 * that failed was an envelope recipient of that mail. A subject with our case tag, or a References
 * chain, proves nothing: anyone can write those.
 */
export async function checkBounce(db: Repositories, org: OrgRuntime, mail: InboundMail, analysis: MessageAnalysis): Promise<BounceCheck> {
  const named = [
    analysis.bounce?.originalMessageId,
    mail.inReplyTo,
    ...(mail.deliveryStatus ?? []).map((f) => normaliseMessageId(f['original-envelope-id'])),
  ].filter((id): id is string => !!id);
  const ids = [...new Set(named)];
  if (ids.length === 0) return { facts: { genuine: false, reason: 'a delivery report that names no mail we sent' }, recipients: [] };
  const rows = await db.outbox.sentWithMessageIds(org.id, ids);
  const caseIds = [...new Set(rows.map((r) => r.caseId))];
  if (caseIds.length !== 1) {
    return { facts: { genuine: false, reason: 'a delivery report about a mail that is not in our outbox' }, recipients: [] };
  }
  const envelope = new Set(rows.flatMap((r) => r.envelopeTo).map(addressKey));
  const all = analysis.bounce?.recipients ?? [];
  const recipients = all.filter((r) => envelope.has(addressKey(r.address)));
  if (recipients.length === 0) {
    return {
      facts: { genuine: false, reason: 'a delivery report about an address our mail was not sent to' },
      recipients: [],
    };
  }
  const row = await db.cases.findById(must(caseIds[0], 'a case id'));
  if (row?.organisation !== org.id) return { facts: { genuine: false, reason: 'a delivery report about a mail that is not in our outbox' }, recipients: [] };
  return { matched: { row, by: 'outbox' }, facts: { genuine: true }, recipients };
}

/**
 * May this sender answer for the chased party (README, "Who can change a case")? Yes when a rung
 * that went addressed them (To), or they are a named participant: the professional the request
 * was addressed to, the directory's holder of a chased role, or a colleague a directive named.
 * Someone merely copied, or an outside address only a directive added, is told to the RM instead.
 */
export function answersForThemselves(state: CaseState, sender: string, role: string, ctx: CaseContext, org: Pick<OrgRuntime, 'isOwnDomain'>): boolean {
  const me = addressKey(sender);
  if (state.steps.some((s) => s.status === 'sent' && (s.sentTo ?? []).some((a) => addressKey(a) === me))) return true;
  const mine = state.participants.filter((p) => addressKey(p.email) === me && p.role === role);
  if (mine.some((p) => p.source === 'request' && p.role === ctx.ladder.professionalRole)) return true;
  if (mine.some((p) => p.source === 'directory' || p.source === 'config')) return true;
  if (mine.some((p) => p.source === 'directive' && org.isOwnDomain(p.email))) return true;
  // Not on the case itself: the directory names them for this role.
  return mine.length === 0 && resolveRole(state, role, ctx).some((c) => c.source !== 'case' && addressKey(c.email) === me);
}

export function routeFacts(
  org: OrgRuntime,
  mail: InboundMail,
  analysis: MessageAnalysis,
  matched: MatchedCase | undefined,
  oversized: boolean,
  bounce?: BounceCheck,
): RouteFacts {
  const sender = mail.from?.address;
  const facts: RouteFacts = {
    analysis,
    parseProblems: mail.parseProblems,
    ...(sender ? { sender } : {}),
    senderIsStaff: org.isStaff(sender),
    oversized,
    ...(bounce ? { bounce: bounce.facts } : {}),
  };
  if (matched) {
    const state = matched.row.state;
    const ctx = org.caseContext(matched.row.ladderId, mail.date);
    const role = sender ? roleOfAddress(state, sender, ctx) : undefined;
    const chased = !!role && chasedRoles(ctx.ladder).has(role);
    facts.match = {
      by: matched.by,
      ...(role ? { senderRole: role } : {}),
      senderIsConfirmer: !!role && ctx.ladder.confirmers.includes(role),
      senderIsChased: chased,
      senderAnswers: chased && !!sender && answersForThemselves(state, sender, role, ctx, org),
      caseClosed: matched.row.status === 'resolved' || matched.row.status === 'closed',
      ...(state.senderConfirmation ? { caseUnconfirmed: true } : {}),
    };
  } else if (analysis.caseTag) {
    facts.unknownCaseTag = analysis.caseTag;
  }
  return facts;
}
