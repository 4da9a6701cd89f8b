import type { EntityManager } from '@mikro-orm/postgresql';
import type { OrgRuntime } from '../../runtime/organisations.js';
import { findCaseByRef, findCaseByToken, findCaseIdByMessageIds } from '../../db/repositories/case-repository.js';
import type { CaseRow } from '../../db/entities/types.js';
import { Case } from '../../db/entities/index.js';
import { roleOfAddress } from '../../domain/case/role-resolution.js';
import type { MessageAnalysis } from '../../domain/inbound/analyse-message.js';
import type { InboundMail } from '../../domain/inbound/inbound-mail.js';
import { chasedRoles, type MatchedBy, type RouteFacts } from '../../domain/inbound/route.js';

export interface MatchedCase {
  row: CaseRow;
  by: MatchedBy;
}

/**
 * Finds the case a message belongs to, in the design's order: its thread (In-Reply-To and
 * References against every Message-ID the case has sent or received), then the [ESC-…] tag in
 * the subject, then the plus token it was addressed to. Bounces match through the returned headers.
 */
export async function matchCase(em: EntityManager, org: OrgRuntime, analysis: MessageAnalysis): Promise<MatchedCase | undefined> {
  const ids = analysis.bounce
    ? [...(analysis.bounce.originalMessageId ? [analysis.bounce.originalMessageId] : []), ...analysis.bounce.originalReferences, ...analysis.threadIds]
    : analysis.threadIds;
  const byThread = await findCaseIdByMessageIds(em, org.mailbox, ids);
  if (byThread) {
    const row = await em.findOne(Case, { id: byThread });
    if (row && row.organisation === org.id) return { row, by: 'thread' };
  }
  if (analysis.caseTag) {
    const row = await findCaseByRef(em, analysis.caseTag);
    if (row && row.organisation === org.id) return { row, by: 'tag' };
  }
  if (analysis.plusToken) {
    const row = await findCaseByToken(em, analysis.plusToken);
    if (row && row.organisation === org.id) return { row, by: 'token' };
  }
  return undefined;
}

export function routeFacts(org: OrgRuntime, mail: InboundMail, analysis: MessageAnalysis, matched: MatchedCase | undefined, oversized: boolean): RouteFacts {
  const sender = mail.from?.address;
  const facts: RouteFacts = {
    analysis,
    parseProblems: mail.parseProblems,
    ...(sender ? { sender } : {}),
    senderIsStaff: org.isStaff(sender),
    oversized,
  };
  if (matched) {
    const state = matched.row.state;
    const ctx = org.caseContext(matched.row.ladderId, mail.date);
    const role = sender ? roleOfAddress(state, sender, ctx) : undefined;
    facts.match = {
      by: matched.by,
      ...(role ? { senderRole: role } : {}),
      senderIsConfirmer: !!role && ctx.ladder.confirmers.includes(role),
      senderIsChased: !!role && chasedRoles(ctx.ladder).has(role),
    };
  } else if (analysis.caseTag) {
    facts.unknownCaseTag = analysis.caseTag;
  }
  return facts;
}
