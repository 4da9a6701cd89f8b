import { readAuthentication, type Authentication } from './authentication.js';
import { bounceRecipients, detectAutomatic, type AutomaticVerdict } from './automatic.js';
import { classifyReply, type Classification } from './classify-reply.js';
import { parseCommands, type CommandParse } from './commands.js';
import { parseDirectives, type DirectiveOptions, type DirectiveParse } from './directives.js';
import { allAddresses, type InboundMail } from './inbound-mail.js';
import { extractNewText } from './new-text.js';
import { plusDetails } from './plus-address.js';
import { caseTagOf, hasEscalateTag } from './subject-tags.js';

export interface AnalysisOptions {
  inboxAddress: string;
  timezone: string;
  roles: Iterable<string>;
  ladderIds: Iterable<string>;
  trustedAuthservIds: string[];
}

/** Everything the service reads from one message, before looking anything up. Pure. */
export interface MessageAnalysis {
  automatic: AutomaticVerdict;
  bounce?: {
    recipients: Array<{ address: string; status?: string; action?: string; diagnostic?: string }>;
    /** The Message-ID of our mail that bounced, when the DSN returned its headers. */
    originalMessageId?: string;
    originalReferences: string[];
  };
  newText: string;
  escalateTag: boolean;
  /** `inbox+<ladder>@` — opens on that ladder. */
  plusLadder?: string;
  /** `inbox+<token>@` — routes to that case. */
  plusToken?: string;
  caseTag?: string;
  directives: DirectiveParse;
  commands: CommandParse;
  classification: Classification;
  authentication: Authentication;
  /** Thread ids to match against: In-Reply-To first, then References newest first. */
  threadIds: string[];
}

export function analyseMessage(mail: InboundMail, opts: AnalysisOptions): MessageAnalysis {
  const automatic = detectAutomatic(mail, opts.timezone);
  const newText = extractNewText(mail.text);
  const ladderIds = [...opts.ladderIds];
  const plus = plusDetails(allAddresses(mail), opts.inboxAddress);
  const plusLadder = plus.find((p) => ladderIds.includes(p));
  const plusToken = plus.find((p) => !ladderIds.includes(p));
  const dirOpts: DirectiveOptions = { roles: opts.roles, ladderIds, reference: mail.date, timezone: opts.timezone };
  const threadIds = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()];
  const analysis: MessageAnalysis = {
    automatic,
    newText,
    escalateTag: hasEscalateTag(mail.subject),
    ...(plusLadder ? { plusLadder } : {}),
    ...(plusToken ? { plusToken } : {}),
    ...(caseTagOf(mail.subject) ? { caseTag: caseTagOf(mail.subject)! } : {}),
    directives: parseDirectives(newText, dirOpts),
    commands: parseCommands(newText, dirOpts),
    classification: classifyReply(newText, mail.date, opts.timezone),
    authentication: readAuthentication(mail, opts.trustedAuthservIds),
    threadIds: [...new Set(threadIds)],
  };
  if (automatic.kind === 'bounce') {
    const returned = mail.returnedHeaders;
    analysis.bounce = {
      recipients: bounceRecipients(mail),
      ...(returned?.messageId ? { originalMessageId: returned.messageId } : {}),
      originalReferences: [...(returned?.inReplyTo ? [returned.inReplyTo] : []), ...(returned?.references ?? [])],
    };
  }
  return analysis;
}
