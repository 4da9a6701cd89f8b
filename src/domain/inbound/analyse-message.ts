import { readAuthentication, type Authentication } from './authentication.js';
import { bounceRecipients, detectAutomatic, type AutomaticVerdict, type BounceRecipient } from './automatic.js';
import { classifyReply, type Classification } from './classify-reply.js';
import { parseCommands, type CommandParse } from './commands.js';
import { parseDirectives, type DirectiveOptions, type DirectiveParse } from './directives.js';
import type { WorkingDays } from './en-gb-dates.js';
import { allAddresses, isTnef, type InboundMail } from './inbound-mail.js';
import { splitReply } from './new-text.js';
import { plusDetails, TOKEN_PATTERN } from './plus-address.js';
import { caseTagOf, hasEscalateTag } from './subject-tags.js';

export interface AnalysisOptions {
  inboxAddress: string;
  timezone: string;
  roles: Iterable<string>;
  ladderIds: Iterable<string>;
  trustedAuthservIds: string[];
  /**
   * The organisation's working days (its `WorkCalendar`), so a promise "within 5 working days"
   * skips its nation's bank holidays. Without it, Monday to Friday.
   */
  workingDays?: WorkingDays;
  /** HTML longer than this is not used for finding the new text (the plain text is). */
  maxHtmlLength?: number;
}

/** Everything the service reads from one message, before looking anything up. Pure. */
export interface MessageAnalysis {
  automatic: AutomaticVerdict;
  bounce?: {
    recipients: BounceRecipient[];
    /** The Message-ID of our mail that bounced, when the DSN returned its headers. */
    originalMessageId?: string;
    originalReferences: string[];
    /** The `[ESC-…]` tag in the returned message's subject. */
    originalCaseTag?: string;
  };
  /** The sender's new words: quoted history, forwarded text, signature and banners removed. */
  newText: string;
  /** Where the new text was found: the HTML part's quote markers, or the plain text. */
  newTextSource: 'html' | 'text';
  escalateTag: boolean;
  /** `inbox+<ladder>@` — opens on that ladder. */
  plusLadder?: string;
  /** `inbox+<token>@` — routes to that case. */
  plusToken?: string;
  /** `inbox+<something>@` that is neither a ladder here nor shaped like one of our tokens. */
  plusUnknown?: string;
  caseTag?: string;
  directives: DirectiveParse;
  commands: CommandParse;
  classification: Classification;
  authentication: Authentication;
  /** Thread ids to match against: In-Reply-To first, then References newest first. */
  threadIds: string[];
  /** A TNEF (winmail.dat) attachment came with it; it is kept as an attachment, not decoded. */
  tnef: boolean;
}

export function analyseMessage(mail: InboundMail, opts: AnalysisOptions): MessageAnalysis {
  const automatic = detectAutomatic(mail, opts.timezone);
  const reply = splitReply(mail.text, mail.html, {
    ...(mail.textFromHtml !== undefined ? { textFromHtml: mail.textFromHtml } : {}),
    ...(opts.maxHtmlLength !== undefined ? { maxHtmlLength: opts.maxHtmlLength } : {}),
  });
  const newText = reply.newText;
  const ladderIds = [...opts.ladderIds];
  const plus = plusDetails(allAddresses(mail), opts.inboxAddress);
  const plusLadder = plus.find((p) => ladderIds.includes(p));
  const plusToken = plus.find((p) => !ladderIds.includes(p) && TOKEN_PATTERN.test(p));
  const plusUnknown = plus.find((p) => !ladderIds.includes(p) && !TOKEN_PATTERN.test(p));
  const dirOpts: DirectiveOptions = { roles: [...opts.roles], ladderIds, reference: mail.date, timezone: opts.timezone };
  const threadIds = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()];

  // Directives count anywhere before the quoted part: a valid one written below the sign-off
  // is used too, but only the new text's unknown lines are reported (a signature's "Pronouns:"
  // is no directive anyone meant).
  // Automatic mail never changes a case, so its words are not read as directives or commands.
  const human = automatic.kind === 'none';
  const directives: DirectiveParse = human ? parseDirectives(newText, dirOpts) : { items: [], unknown: [], problems: [] };
  const belowSignOff = reply.unquoted.startsWith(newText) ? reply.unquoted.slice(newText.length) : '';
  if (human && belowSignOff.trim()) directives.items.push(...parseDirectives(belowSignOff, dirOpts).items);

  const caseTag = caseTagOf(mail.subject);
  const analysis: MessageAnalysis = {
    automatic,
    newText,
    newTextSource: reply.source,
    escalateTag: hasEscalateTag(mail.subject),
    ...(plusLadder ? { plusLadder } : {}),
    ...(plusToken ? { plusToken } : {}),
    ...(plusUnknown ? { plusUnknown } : {}),
    ...(caseTag ? { caseTag } : {}),
    directives,
    commands: human ? parseCommands(newText, dirOpts) : { lines: [], errors: [] },
    classification: human ? classifyReply(newText, mail.date, opts.timezone, opts.workingDays) : { class: 'other' },
    authentication: readAuthentication(mail, opts.trustedAuthservIds),
    threadIds: [...new Set(threadIds)],
    tnef: mail.attachments.some(isTnef),
  };
  if (automatic.kind === 'bounce') {
    const returned = mail.returnedHeaders;
    const originalCaseTag = returned?.subject ? caseTagOf(returned.subject) : undefined;
    analysis.bounce = {
      recipients: bounceRecipients(mail),
      ...(returned?.messageId ? { originalMessageId: returned.messageId } : {}),
      originalReferences: [...new Set([...(returned?.inReplyTo ? [returned.inReplyTo] : []), ...(returned?.references ?? [])])],
      ...(originalCaseTag ? { originalCaseTag } : {}),
    };
  }
  return analysis;
}
