import type { OrgRuntime } from '../../runtime/organisations.js';
import type { Participant } from '../../domain/case/case-state.js';
import type { OpenCaseInput } from '../../domain/case/open-case.js';
import type { CaseFlag, VariantName } from '../../domain/ladder/ladder-schema.js';
import type { MessageAnalysis } from '../../domain/inbound/analyse-message.js';
import { header, type InboundMail } from '../../domain/inbound/inbound-mail.js';
import { roleLabel } from '../../domain/roles.js';
import type { PanelDirective } from '../../domain/case/panel-form.js';
import { must } from '../../lib/must.js';

export interface OpeningIds {
  id: string;
  ref: string;
  token: string;
  messageRowId: string;
  receivedAt: Date;
}

/** Reads a tagged request into what the pure `openCase` needs; anything doubtful becomes a warning in the confirmation. */
export function openingInput(org: OrgRuntime, mail: InboundMail, analysis: MessageAnalysis, ids: OpeningIds): OpenCaseInput {
  const warnings: string[] = [];
  const directives = analysis.directives;
  const ladderDirective = directives.items.find((d) => d.directive.kind === 'ladder')?.directive;
  const ladderId = analysis.plusLadder ?? (ladderDirective?.kind === 'ladder' ? ladderDirective.ladderId : org.config.defaultLadder);
  const sender = must(mail.from, 'the sender'); // a tagged request has a From (ingest checked)
  const professionalRole = org.ladders.get(org.id, ladderId)?.professionalRole ?? 'professional';
  const flags: Partial<Record<CaseFlag, boolean>> = {};
  let variant: VariantName = 'standard';
  let childRef: string | undefined;
  let category: string | undefined;
  let requestedBy: string | undefined;
  const participants: Participant[] = [];
  const directed = new Set<string>();
  const panelLines: PanelDirective[] = [];
  for (const { directive } of directives.items) {
    switch (directive.kind) {
      case 'child':
        // A value that looks like a child's name never gets here: the directive parser refuses
        // it and says so (without repeating the name) among the warnings.
        childRef = directive.ref;
        break;
      case 'category':
        category = directive.value;
        break;
      case 'due':
        requestedBy = directive.date;
        break;
      case 'flag':
        flags[directive.flag] = directive.value;
        break;
      case 'imminent':
        variant = 'imminent';
        break;
      case 'contact': {
        // "Professional: …" names whoever the ladder addresses the request to.
        const role = directive.role === 'professional' ? professionalRole : directive.role;
        const def = org.ladders.get(org.id, ladderId);
        if ((role === 'rm' || role === 'originator' || def?.confirmers.includes(role)) && !org.isOwnDomain(directive.contact.email)) {
          warnings.push(
            `${roleLabel(role).replace(/^./, (c) => c.toUpperCase())}: ${directive.contact.email} is outside the organisation, and only the organisation's own addresses may hold that role, so it was not set.`,
          );
          break;
        }
        directed.add(role);
        participants.push({ role, ...directive.contact, source: 'directive' });
        break;
      }
      case 'panel-date':
      case 'panel-action':
      case 'remaining-concerns':
        panelLines.push(directive);
        break;
      case 'ladder':
        break;
    }
  }
  const ladder = org.ladders.get(org.id, ladderId);
  if (panelLines.length > 0 && !ladder?.panelForm) {
    warnings.push(
      `${panelLines.length === 1 ? 'One line' : `${panelLines.length} lines`} of your request belong to the fostering panel escalation form (Panel date, Panel action, section D's dates, Remaining concerns); this ladder keeps no such form, so they were not recorded.`,
    );
  }
  if (flags['carer-informed'] !== undefined && ladder?.keepInformedWhen !== 'carer-informed') {
    warnings.push(
      ladder?.keepInformed.length
        ? 'Foster carer informed: on this ladder the foster carer is always kept informed, so the line changes nothing.'
        : 'Foster carer informed: this ladder keeps nobody informed, so the line was not recorded.',
    );
    delete flags['carer-informed'];
  }
  if (variant === 'imminent' && !ladder?.variants.imminent) {
    warnings.push(`This ladder has no imminent-risk timescales; it runs on ${ladder?.variants.urgent ? 'its urgent' : 'its normal'} ones.`);
    variant = 'standard';
    flags.safeguarding = true;
  }
  // Never repeated: a line we do not recognise may hold anything (a name, a note about the child).
  // The request itself (raw, purged with the case) is the only place it is kept.
  if (directives.unknown.length > 0) {
    const n = directives.unknown.length;
    warnings.push(
      `${n === 1 ? 'One line' : `${n} lines`} of your request looked like a directive ("Key: value") but ${n === 1 ? 'is not one I know, so it was' : 'are not ones I know, so they were'} ignored (not repeated here; see your request). Directives I know: Ladder, Child, Category, Due, Safeguarding, Child protection, IRO: yes, and the roles of the ladder, e.g. "Team manager: Name <address>".`,
    );
  }
  for (const p of directives.problems) warnings.push(p);

  const outside = (a: { address: string }) => !org.isStaff(a.address) && !org.isInbox(a.address) && a.address !== sender.address;
  const notUs = (a: { address: string }) => !org.isInbox(a.address) && a.address !== sender.address;
  if (!directed.has(professionalRole)) {
    // Outside agencies first; internal ladders (practice disagreements, FIRO) address colleagues.
    const external = mail.to.filter(outside);
    const professionals = external.length > 0 ? external : mail.to.filter(notUs);
    for (const a of professionals) participants.push({ role: professionalRole, email: a.address, ...(a.name ? { name: a.name } : {}), source: 'request' });
    if (professionals.length === 0)
      warnings.push(`I could not tell who the request is addressed to. Reply "Professional: Name <address>" so the chasers have someone to go to.`);
  }
  for (const a of mail.cc.filter(outside)) {
    if (!participants.some((p) => p.email === a.address))
      participants.push({ role: 'copied', email: a.address, ...(a.name ? { name: a.name } : {}), source: 'request' });
  }
  if (ladderDirective && analysis.plusLadder && ladderDirective.kind === 'ladder' && ladderDirective.ladderId !== analysis.plusLadder) {
    warnings.push(`The address chose the ${analysis.plusLadder} ladder, so "Ladder: ${ladderDirective.ladderId}" was not used.`);
  }
  const openedAt = mail.date > ids.receivedAt ? ids.receivedAt : mail.date;
  const threadIndex = header(mail, 'thread-index');
  return {
    id: ids.id,
    ref: ids.ref,
    token: ids.token,
    orgId: org.id,
    ladderId,
    variant,
    openedAt,
    subject: mail.subject || '(no subject)',
    requestMessageId: mail.messageId,
    threadIds: [...new Set([...mail.references, mail.messageId])],
    ...(threadIndex ? { threadIndex } : {}),
    originator: { email: sender.address, ...(sender.name ? { name: sender.name } : {}) },
    participants,
    ...(childRef ? { childRef } : {}),
    ...(category ? { category } : {}),
    ...(requestedBy ? { requestedBy } : {}),
    ...(panelLines.length > 0 && ladder?.panelForm ? { panelLines } : {}),
    flags,
    warnings,
    messageRef: ids.messageRowId,
  };
}
